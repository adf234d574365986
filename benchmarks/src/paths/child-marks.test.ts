import { describe, expect, it } from 'vitest';
import { childMarksLine, readChildMarks } from './child-marks.js';

describe('readChildMarks', () => {
  it('reads back the line a child wrote among its other messages', () => {
    const stderr = `a warning\n${childMarksLine({ imported: 120.5, loaded: 900, done: 4000 })}`;
    expect(readChildMarks(stderr)).toEqual({ imported: 120.5, loaded: 900, done: 4000 });
  });

  it('takes the last line when there are several, and undefined when there is none', () => {
    expect(readChildMarks(`${childMarksLine({ done: 1 })}${childMarksLine({ done: 2 })}`)).toEqual({ done: 2 });
    expect(readChildMarks('nothing here\n')).toBeUndefined();
  });
});
