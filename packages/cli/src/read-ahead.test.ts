import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { readAhead } from './read-ahead.js';

async function* fromArray<T>(items: readonly T[], gapMs = 0): AsyncGenerator<T> {
  for (const item of items) {
    if (gapMs > 0) await sleep(gapMs);
    yield item;
  }
}

async function windows<T>(items: AsyncIterable<T>, size: number, idleMs?: number): Promise<T[][]> {
  const all: T[][] = [];
  for await (const window of readAhead(items, size, idleMs)) all.push(window);
  return all;
}

describe('readAhead', () => {
  it('cuts a fast sequence into full windows, the last one short, in order', async () => {
    expect(await windows(fromArray([1, 2, 3, 4, 5, 6, 7]), 3)).toEqual([[1, 2, 3], [4, 5, 6], [7]]);
  });

  it('gives nothing for an empty sequence', async () => {
    expect(await windows(fromArray([]), 3)).toEqual([]);
  });

  it('sends what it has when the next item is slow to come, without losing the item that was waited for', async () => {
    const got = await windows(fromArray(['a', 'b', 'c'], 60), 100, 20);
    expect(got.flat()).toEqual(['a', 'b', 'c']);
    expect(got.length).toBe(3);
  });

  it('closes the input when the consumer stops early', async () => {
    let closed = false;
    async function* source() {
      try {
        for (let item = 0; ; item++) yield item;
      } finally {
        closed = true;
      }
    }
    for await (const window of readAhead(source(), 2)) {
      expect(window).toEqual([0, 1]);
      break;
    }
    expect(closed).toBe(true);
  });
});
