import { seededRandom } from './seeded-random.js';

/**
 * The order in which contenders take their turns in a round: a shuffle seeded by the run's seed and
 * the round, so a run is repeatable and no contender always follows the same one. Whoever runs next
 * pays for what the previous one left behind (V8 collecting its garbage, its threads winding down);
 * a fixed cycle would charge one contender for the same neighbour every time.
 */
export function turnOrder<T>(items: readonly T[], seed: number, round: number): T[] {
  const random = seededRandom(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ round);
  const order = [...items];
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other], order[index]];
  }
  return order;
}

export interface LatencySchedule {
  /** Timed calls per contender in the whole run. */
  readonly timedCalls: number;
  /** Timed calls in each turn, after its one untimed call. */
  readonly callsPerTurn: number;
  readonly seed: number;
}

/** One call of the latency measurement, in the order the run makes them. */
export interface LatencyCall<T> {
  readonly contender: T;
  readonly round: number;
  /** False for a turn's first call, which pays for what the previous contender left behind. */
  readonly timed: boolean;
}

/**
 * The latency measurement's calls: `timedCalls ÷ callsPerTurn` rounds, each giving every contender
 * one turn in `turnOrder`, a turn being one untimed call then `callsPerTurn` timed ones. V8 collects
 * a library's garbage during the calls that follow it, whoever makes them; the untimed call absorbs
 * the previous contender's, and the timed ones carry the library's own, as in an application that
 * uses one library.
 */
export function latencySchedule<T>(contenders: readonly T[], { timedCalls, callsPerTurn, seed }: LatencySchedule): LatencyCall<T>[] {
  if (!Number.isSafeInteger(callsPerTurn) || callsPerTurn < 1)
    throw new RangeError(`calls per turn must be a whole number of at least 1, not ${callsPerTurn}`);
  if (!Number.isSafeInteger(timedCalls) || timedCalls < callsPerTurn || timedCalls % callsPerTurn !== 0) {
    throw new RangeError(`timed latency calls (${timedCalls}) must be a whole, positive multiple of the calls per turn (${callsPerTurn})`);
  }
  if (!Number.isSafeInteger(seed)) throw new RangeError(`the seed must be a whole number, not ${seed}`);
  const calls: LatencyCall<T>[] = [];
  for (let round = 0; round < timedCalls / callsPerTurn; round++) {
    for (const contender of turnOrder(contenders, seed, round)) {
      calls.push({ contender, round, timed: false });
      for (let call = 0; call < callsPerTurn; call++) calls.push({ contender, round, timed: true });
    }
  }
  return calls;
}
