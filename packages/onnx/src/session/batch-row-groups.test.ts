import type { TokenBatchV1 } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { eachRow, hasPadding, rowLengths, rowsOfEqualLength } from './batch-row-groups.js';

// Three rows of 4 columns: lengths 2, 4 and 2; ids are 10 × row + column, padding 0.
const batch: TokenBatchV1 = {
  batchSize: 3,
  sequenceLength: 4,
  inputIds: Int32Array.from([10, 11, 0, 0, 20, 21, 22, 23, 30, 31, 0, 0]),
  attentionMask: Int32Array.from([1, 1, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0]),
  tokenTypeIds: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0]),
  // Row 2 column 1, row 0 column 1, row 1 columns 0 and 3.
  positions: Int32Array.from([9, 1, 4, 7]),
};

describe('batch row groups', () => {
  it('reads each row’s length from its attention mask', () => {
    expect(rowLengths(batch)).toEqual([2, 4, 2]);
    expect(hasPadding(batch)).toBe(true);
    expect(hasPadding({ ...batch, batchSize: 1, sequenceLength: 4, attentionMask: Int32Array.from([1, 1, 1, 1]) })).toBe(false);
  });

  it('groups rows of equal length, cut to that length, with their positions and where their logits go', () => {
    const groups = rowsOfEqualLength(batch);
    expect(groups.map(({ batch: rows, positionIndices }) => ({ ...rows, positionIndices }))).toEqual([
      {
        batchSize: 2,
        sequenceLength: 2,
        inputIds: Int32Array.from([10, 11, 30, 31]),
        attentionMask: Int32Array.from([1, 1, 1, 1]),
        tokenTypeIds: Int32Array.from([0, 0, 0, 1]),
        positions: Int32Array.from([1, 3]),
        positionIndices: [1, 0],
      },
      {
        batchSize: 1,
        sequenceLength: 4,
        inputIds: Int32Array.from([20, 21, 22, 23]),
        attentionMask: Int32Array.from([1, 1, 1, 1]),
        tokenTypeIds: Int32Array.from([0, 0, 1, 1]),
        positions: Int32Array.from([0, 3]),
        positionIndices: [2, 3],
      },
    ]);
  });

  it('runs each row alone, and leaves out rows with no position asked for', () => {
    expect(eachRow(batch).map((group) => [group.batch.batchSize, [...group.batch.positions], group.positionIndices])).toEqual([
      [1, [1], [1]],
      [1, [0, 3], [2, 3]],
      [1, [1], [0]],
    ]);
    expect(eachRow({ ...batch, positions: Int32Array.from([5]) }).map((group) => [...group.batch.inputIds])).toEqual([[20, 21, 22, 23]]);
  });
});
