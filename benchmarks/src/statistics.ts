export interface Summary {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  /** The middle half of the samples lies between the quartiles (linear interpolation between ranks). */
  readonly lowerQuartile: number;
  readonly upperQuartile: number;
  readonly samples: number;
}

export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError('cannot summarize no samples');
  const sorted = [...values].sort((a, b) => a - b);
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0],
    max: sorted[sorted.length - 1],
    lowerQuartile: quantile(sorted, 0.25),
    upperQuartile: quantile(sorted, 0.75),
    samples: sorted.length,
  };
}

/** The q-quantile of sorted values, interpolating between the two nearest ranks (the median of an even count is the mean of the middle two). */
function quantile(sorted: readonly number[], q: number): number {
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  return sorted[below] + (sorted[above] - sorted[below]) * (position - below);
}

/**
 * For each round both measured, the median of `numerator`'s samples in that round over the median of
 * `denominator`'s. Both were timed within seconds of each other, so a change in the machine's speed
 * between rounds (a shared VM drifts during an hour's run) cancels out of each ratio, and the ratios'
 * spread is the ratio's own rather than the two spreads side by side.
 */
export function ratiosByRound(numerator: readonly (readonly number[])[], denominator: readonly (readonly number[])[]): number[] {
  const ratios: number[] = [];
  for (let round = 0; round < Math.min(numerator.length, denominator.length); round++) {
    if (numerator[round]?.length && denominator[round]?.length)
      ratios.push(summarize(numerator[round]).median / summarize(denominator[round]).median);
  }
  return ratios;
}

/** Milliseconds taken by `task`. */
export async function timed(task: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await task();
  return Number(process.hrtime.bigint() - start) / 1e6;
}
