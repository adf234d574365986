import { describe, expect, it } from 'vitest';
import { maskedCopyBatches, maskedLogProbability, scoredPositions } from './pseudo-log-likelihood.js';

describe('scoredPositions', () => {
  it('leaves out the special tokens wherever they stand', () => {
    // <s> 10 11 <unk> 12 </s>
    expect(scoredPositions([0, 10, 11, 3, 12, 2], new Set([0, 1, 2, 3, 4]))).toEqual([1, 2, 4]);
  });
});

describe('maskedCopyBatches', () => {
  it('makes one copy per position, masked there alone, in batches of at most the batch size', () => {
    const batches = maskedCopyBatches([0, 10, 11, 12, 2], [1, 2, 3], 4, 2);
    expect(batches.map((batch) => batch.positions)).toEqual([[1, 2], [3]]);
    expect(batches.map((batch) => batch.length)).toEqual([5, 5]);
    expect([...batches[0].ids]).toEqual([0n, 4n, 11n, 12n, 2n, 0n, 10n, 4n, 12n, 2n]);
    expect([...batches[1].ids]).toEqual([0n, 10n, 11n, 4n, 2n]);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => maskedCopyBatches([1, 2], [0], 9, 0)).toThrow(RangeError);
  });
});

describe('maskedLogProbability', () => {
  it('is the log softmax of the masked position of the row, not of another position', () => {
    // Two rows of three positions over a vocabulary of 2; row 1 is masked at position 2.
    const batch = maskedCopyBatches([5, 6, 7], [1, 2], 0, 2)[0];
    const logits = new Float32Array([9, 9, 0, 1, 9, 9, /* row 1 */ 9, 9, 9, 9, 2, 0]);
    expect(maskedLogProbability(logits, batch, 0, 2, 1)).toBeCloseTo(1 - Math.log(1 + Math.E), 6);
    expect(maskedLogProbability(logits, batch, 1, 2, 0)).toBeCloseTo(2 - Math.log(Math.exp(2) + 1), 6);
  });

  it('does not overflow with large logits', () => {
    const batch = maskedCopyBatches([5], [0], 0, 1)[0];
    expect(maskedLogProbability(new Float32Array([1000, 1000]), batch, 0, 2, 0)).toBeCloseTo(-Math.log(2), 9);
  });
});
