import { describe, expect, it } from 'vitest';
import { latencySamplesByRound } from './latency-samples.js';
import { latencySchedule } from './turn-order.js';

describe('latencySamplesByRound', () => {
  it('keeps every timed call by contender and round, in call order, and makes the untimed ones without keeping them', async () => {
    const calls = latencySchedule(['a', 'b'], { timedCalls: 4, callsPerTurn: 2, seed: 3 });
    const made: string[] = [];
    let clock = 0;
    const samples = await latencySamplesByRound(calls, {
      call: async (contender) => void made.push(contender),
      // Each timed call takes one more millisecond than the one before, whoever makes it.
      time: async (task) => {
        await task();
        clock += 1;
        return clock;
      },
      settle: async () => undefined,
    });
    expect(made).toHaveLength(calls.length);
    // Each round, the contender whose turn comes first times 2 calls, then the other 2.
    const [first0, second0] = [calls[0].contender, calls[3].contender];
    const [first1, second1] = [calls[6].contender, calls[9].contender];
    expect(calls.slice(0, 6).map((call) => call.timed)).toEqual([false, true, true, false, true, true]);
    const expected = new Map<string, number[][]>([
      [first0, []],
      [second0, []],
    ]);
    expected.get(first0)![0] = [1, 2];
    expected.get(second0)![0] = [3, 4];
    expected.get(first1)![1] = [5, 6];
    expected.get(second1)![1] = [7, 8];
    expect(samples).toEqual(expected);
  });

  it('settles before every call, timed or not', async () => {
    const calls = latencySchedule(['a', 'b', 'c'], { timedCalls: 3, callsPerTurn: 3, seed: 1 });
    const events: string[] = [];
    await latencySamplesByRound(calls, {
      call: async (contender) => void events.push(`call ${contender}`),
      time: async (task) => {
        await task();
        return 1;
      },
      settle: async () => void events.push('settle'),
    });
    expect(events).toEqual(calls.flatMap(({ contender }) => ['settle', `call ${contender}`]));
  });
});
