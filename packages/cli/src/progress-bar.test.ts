import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgressBar, formatProgress } from './progress-bar.js';

function stream(isTTY: boolean): { target: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const target = Object.assign(
    new Writable({
      write: (chunk, _encoding, done) => {
        text += String(chunk);
        done();
      },
    }),
    { isTTY },
  );
  return { target, text: () => text };
}

describe('progress bar', () => {
  it('formats a bar with a total and a count without one', () => {
    expect(formatProgress('scoring', 5, 20, 10)).toBe('scoring [##........] 5/20 25%');
    expect(formatProgress('scoring', 20, 20, 10)).toBe('scoring [##########] 20/20 100%');
    expect(formatProgress('scoring', 7, undefined)).toBe('scoring 7');
  });

  it('redraws in place on a terminal and ends the line; draws nothing elsewhere or when disabled', () => {
    const terminal = stream(true);
    const bar = createProgressBar(terminal.target, 'scoring', 4, true);
    bar.update(1);
    bar.update(1);
    bar.update(4);
    bar.finish();
    expect(terminal.text()).toBe(`\r${formatProgress('scoring', 1, 4)}\x1b[K\r${formatProgress('scoring', 4, 4)}\x1b[K\n`);
    for (const [isTTY, enabled] of [
      [false, true],
      [true, false],
    ]) {
      const quiet = stream(isTTY);
      const silent = createProgressBar(quiet.target, 'scoring', 4, enabled);
      silent.update(2);
      silent.finish();
      expect(quiet.text()).toBe('');
    }
  });

  it('erases itself for results written in between, and draws again under them', () => {
    const terminal = stream(true);
    const bar = createProgressBar(terminal.target, 'filling', 4, true);
    bar.hide();
    bar.update(2);
    bar.hide();
    bar.update(2);
    bar.hide();
    bar.finish();
    const drawn = `\r${formatProgress('filling', 2, 4)}\x1b[K`;
    expect(terminal.text()).toBe(`${drawn}\r\x1b[K${drawn}\r\x1b[K`);
  });
});
