import { describe, expect, it } from 'vitest';
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
  it('measures the time until the task settles, in milliseconds', async () => {
    const milliseconds = await timed(() => new Promise((resolve) => setTimeout(resolve, 30)));
    expect(milliseconds).toBeGreaterThanOrEqual(29);
    expect(milliseconds).toBeLessThan(1000);
  });
});
