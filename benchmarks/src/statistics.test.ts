import { afterEach, describe, expect, it, vi } from 'vitest';
import { summarize, timed } from './statistics.js';

describe('summarize', () => {
  it('takes the middle value of an odd count, whatever the order', () => {
    expect(summarize([9, 1, 5])).toEqual({ median: 5, min: 1, max: 9, samples: 3 });
  });

  it('averages the two middle values of an even count', () => {
    expect(summarize([4, 1, 3, 10])).toEqual({ median: 3.5, min: 1, max: 10, samples: 4 });
  });

  it('leaves the samples it was given in their order', () => {
    const samples = [3, 1, 2];
    summarize(samples);
    expect(samples).toEqual([3, 1, 2]);
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
