import type { LatencyCall } from './turn-order.js';

export interface LatencyMeasurement<T> {
  /** One call of a contender with the latency sentence. */
  readonly call: (contender: T) => Promise<unknown>;
  /** Milliseconds a call took (`timed`). */
  readonly time: (task: () => Promise<unknown>) => Promise<number>;
  /** Waits before every call, timed or not (`settle`). */
  readonly settle: () => Promise<void>;
}

/**
 * Makes the calls of a `latencySchedule` in order and keeps each timed call's milliseconds by
 * contender and round (`samples.get(contender)[round]`), so that rounds line up across contenders
 * for `ratiosByRound`. Untimed calls are made but not kept.
 */
export async function latencySamplesByRound<T>(
  calls: readonly LatencyCall<T>[],
  { call, time, settle }: LatencyMeasurement<T>,
): Promise<Map<T, number[][]>> {
  const samples = new Map<T, number[][]>();
  for (const { contender, round, timed } of calls) {
    await settle();
    if (!timed) {
      await call(contender);
      continue;
    }
    const milliseconds = await time(() => call(contender));
    let rounds = samples.get(contender);
    if (!rounds) {
      rounds = [];
      samples.set(contender, rounds);
    }
    rounds[round] ??= [];
    rounds[round].push(milliseconds);
  }
  return samples;
}
