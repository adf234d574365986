import { describe, expect, it } from 'vitest';
import { turnOrder } from './turn-order.js';

const names = ['fillmask', 'transformers.js', 'onnxruntime', 'transformers.js-same-settings', 'onnxruntime-same-settings'];

describe('turnOrder', () => {
  it('orders every contender once', () => {
    for (let round = 0; round < 20; round++) expect([...turnOrder(names, 1, round)].sort()).toEqual([...names].sort());
  });

  it('gives the same order for the same seed and round, so a run can be repeated', () => {
    expect(turnOrder(names, 7, 3)).toEqual(turnOrder(names, 7, 3));
  });

  it('does not keep any contender behind the same one round after round', () => {
    const predecessors = new Map(names.map((name) => [name, new Set<string>()]));
    for (let round = 0; round < 30; round++) {
      const order = turnOrder(names, 1, round);
      order.slice(1).forEach((name, index) => predecessors.get(name)!.add(order[index]));
    }
    for (const [, before] of predecessors) expect(before.size).toBeGreaterThanOrEqual(3);
  });

  it('puts each contender first in some round and last in another', () => {
    const firsts = new Set<string>();
    const lasts = new Set<string>();
    for (let round = 0; round < 40; round++) {
      const order = turnOrder(names, 1, round);
      firsts.add(order[0]);
      lasts.add(order.at(-1)!);
    }
    expect(firsts.size).toBe(names.length);
    expect(lasts.size).toBe(names.length);
  });

  it('leaves the list it was given alone', () => {
    const copy = [...names];
    turnOrder(copy, 1, 0);
    expect(copy).toEqual(names);
  });
});
