import { describe, expect, it } from 'vitest';
import { latencySchedule, turnOrder } from './turn-order.js';

const names = ['fillmask', 'transformers.js', 'onnxruntime', 'transformers.js-same-settings', 'onnxruntime-same-settings'];

describe('turnOrder', () => {
  it('orders every contender once', () => {
    for (let round = 0; round < 20; round++) expect([...turnOrder(names, 1, round)].sort()).toEqual([...names].sort());
  });

  it('gives the same order for the same seed and round, so a run can be repeated', () => {
    expect(turnOrder(names, 7, 3)).toEqual(turnOrder(names, 7, 3));
  });

  it('gives other orders for another seed', () => {
    const orders = (seed: number) => Array.from({ length: 10 }, (_, round) => turnOrder(names, seed, round).join());
    expect(orders(2)).not.toEqual(orders(1));
  });

  it('does not keep any contender behind the same one round after round', () => {
    const predecessors = new Map(names.map((name) => [name, new Set<string>()]));
    for (let round = 0; round < 30; round++) {
      const order = turnOrder(names, 1, round);
      for (const [index, name] of order.slice(1).entries()) predecessors.get(name)!.add(order[index]);
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

describe('latencySchedule', () => {
  const schedule = latencySchedule(names, { timedCalls: 30, callsPerTurn: 3, seed: 1 });

  it('gives every contender the timed calls asked for, and one untimed call per round', () => {
    for (const name of names) {
      expect(schedule.filter((call) => call.contender === name && call.timed)).toHaveLength(30);
      expect(schedule.filter((call) => call.contender === name && !call.timed)).toHaveLength(10);
    }
  });

  it('runs each turn as one untimed call, then the timed ones, in the round’s turn order', () => {
    for (let round = 0; round < 10; round++) {
      const calls = schedule.filter((call) => call.round === round);
      const turns = turnOrder(names, 1, round).flatMap((contender) =>
        [false, true, true, true].map((timed) => ({ contender, round, timed })),
      );
      expect(calls).toEqual(turns);
    }
  });

  it('rejects counts that leave a turn short, or none at all, and seeds that are not whole numbers', () => {
    expect(() => latencySchedule(names, { timedCalls: 31, callsPerTurn: 3, seed: 1 })).toThrow(
      /timed latency calls \(31\) must be a whole, positive multiple of the calls per turn \(3\)/,
    );
    expect(() => latencySchedule(names, { timedCalls: 0, callsPerTurn: 3, seed: 1 })).toThrow(RangeError);
    expect(() => latencySchedule(names, { timedCalls: 30, callsPerTurn: 0, seed: 1 })).toThrow(
      /calls per turn must be a whole number of at least 1, not 0/,
    );
    expect(() => latencySchedule(names, { timedCalls: 30, callsPerTurn: 3, seed: Number.NaN })).toThrow(
      /the seed must be a whole number, not NaN/,
    );
  });
});
