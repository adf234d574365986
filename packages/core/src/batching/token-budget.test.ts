import { describe, expect, it } from 'vitest';
import { cutByTokenBudget, planBatches } from './token-budget.js';

describe('planBatches', () => {
  it('sorts by length, ties in input order, and fills each pass up to the padded-token budget', () => {
    // Sorted: 1(3) 3(3) 0(5) 4(5) 2(9); budget 12: [1,3] pads to 2×3=6, adding 0 gives 3×5=15 > 12.
    expect(planBatches([5, 3, 9, 3, 5], { maxBatchTokens: 12, maxBatchSize: 32 })).toEqual([[1, 3], [0, 4], [2]]);
  });

  it('runs an input longer than the budget alone', () => {
    expect(planBatches([2, 40, 2], { maxBatchTokens: 8, maxBatchSize: 32 })).toEqual([[0, 2], [1]]);
  });

  it('never puts more than maxBatchSize rows in a pass', () => {
    expect(planBatches([1, 1, 1, 1, 1], { maxBatchTokens: 1000, maxBatchSize: 2 })).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('keeps every pass within both limits and every input exactly once', () => {
    const lengths = Array.from({ length: 500 }, (_, index) => 3 + ((index * 7919) % 120));
    const limits = { maxBatchTokens: 512, maxBatchSize: 32 };
    const batches = planBatches(lengths, limits);
    expect(batches.flat().sort((a, b) => a - b)).toEqual(lengths.map((_, index) => index));
    for (const batch of batches) {
      expect(batch.length).toBeLessThanOrEqual(limits.maxBatchSize);
      expect(batch.length * Math.max(...batch.map((index) => lengths[index]))).toBeLessThanOrEqual(limits.maxBatchTokens);
    }
  });

  it('gives no batch for no input', () => {
    expect(planBatches([], { maxBatchTokens: 512, maxBatchSize: 32 })).toEqual([]);
  });
});

describe('cutByTokenBudget', () => {
  it('pads to the longest row so far when the items are not sorted', () => {
    expect([...cutByTokenBudget([2, 6, 1, 1], (length) => length, { maxBatchTokens: 12, maxBatchSize: 8 })]).toEqual([
      [2, 6],
      [1, 1],
    ]);
  });

  it('takes items lazily, one past the pass it yields at most', () => {
    let taken = 0;
    function* items() {
      for (let item = 0; item < 100; item++) {
        taken++;
        yield item;
      }
    }
    const passes = cutByTokenBudget(items(), () => 4, { maxBatchTokens: 16, maxBatchSize: 32 });
    expect(passes.next().value).toEqual([0, 1, 2, 3]);
    expect(taken).toBe(5);
  });
});
