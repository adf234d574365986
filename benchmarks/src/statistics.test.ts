import { afterEach, describe, expect, it, vi } from 'vitest';
import { ratiosByRound, summarize, timed } from './statistics.js';

describe('summarize', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(summarize([9, 1, 5])).toEqual({ median: 5, min: 1, max: 9, lowerQuartile: 3, upperQuartile: 7, samples: 3 });
  });

  it('averages the two middle values of an even count', () => {
    expect(summarize([4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10, lowerQuartile: 2.5, upperQuartile: 5.5, samples: 4 });
  });

  it('puts the quartiles around the middle half, untouched by the outliers beyond them', () => {
    const summary = summarize([20, 21, 22, 23, 24, 25, 26, 27, 28, 90, 120]);
    expect([summary.lowerQuartile, summary.median, summary.upperQuartile]).toEqual([22.5, 25, 27.5]);
    expect(summarize([7])).toMatchObject({ median: 7, lowerQuartile: 7, upperQuartile: 7 });
  });

  it('refuses to summarize no samples', () => {
    expect(() => summarize([])).toThrow(RangeError);
  });

  it('leaves the samples it was given in their order', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
  });
});

describe('ratiosByRound', () => {
  it("divides each round's median by the other's in the same round", () => {
    expect(
      ratiosByRound(
        [
          [10, 12, 11],
          [30, 40, 20],
        ],
        [
          [20, 24, 22],
          [50, 60, 40],
        ],
      ),
    ).toEqual([0.5, 0.6]);
  });

  it("takes each round's median, not its first sample, its mean or the median of call-by-call ratios", () => {
    // Medians 12/24 = 0.5; first samples 30/20, means 17.7/38, median over mean 12/38, last samples
    // 12/70, and the median of call-by-call ratios (1.5, 0.46, 0.17) all give something else.
    expect(ratiosByRound([[30, 11, 12]], [[20, 24, 70]])).toEqual([0.5]);
  });

  it("leaves each ratio untouched by a change of the whole machine's speed between rounds", () => {
    // The machine runs twice as slow in the last three rounds; each round, the first takes 60% of the second's time.
    expect(ratiosByRound([[6], [6], [12], [12], [12]], [[10], [10], [20], [20], [20]])).toEqual([0.6, 0.6, 0.6, 0.6, 0.6]);
  });

  it('skips a round that either side did not measure', () => {
    expect(ratiosByRound([[10], [], [30]], [[20], [40]])).toEqual([0.5]);
  });
});

describe('timed', () => {
  afterEach(() => vi.restoreAllMocks());

  it("gives the monotonic clock's nanoseconds between start and settling as milliseconds", async () => {
    const readings = [5_000_000_000n, 5_030_250_000n];
    vi.spyOn(process.hrtime, 'bigint').mockImplementation(() => readings.shift()!);
    expect(await timed(async () => undefined)).toBe(30.25);
  });

  it('waits for the task to settle', async () => {
    let settled = false;
    await timed(
      () =>
        new Promise<void>((resolve) =>
          setTimeout(() => {
            settled = true;
            resolve();
          }, 20),
        ),
    );
    expect(settled).toBe(true);
  });
});
