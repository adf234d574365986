import { describe, expect, it } from 'vitest';
import { batchTokensForThreads } from './batch-tokens-for-threads.js';

describe('batchTokensForThreads', () => {
  it('grows with the threads, from a floor', () => {
    expect([1, 2, 4, 8, 16].map(batchTokensForThreads)).toEqual([256, 256, 512, 1024, 2048]);
  });

  it('treats a count that is not one as a single thread', () => {
    expect([0, -3, 2.5, Number.NaN].map(batchTokensForThreads)).toEqual([256, 256, 256, 256]);
  });
});
