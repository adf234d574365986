import type { TokenBatchV1 } from '@fillmask/core';

/** Some rows of a batch run on their own, cut to their common length: no padding left. */
export interface RowGroup {
  readonly batch: TokenBatchV1;
  /** For each of `batch.positions`, its index in the whole batch's `positions` (and so its logits row). */
  readonly positionIndices: readonly number[];
}

/** How many tokens each row holds: padding follows the tokens, so a row ends after its last attended position. */
export function rowLengths(batch: TokenBatchV1): number[] {
  const { batchSize, sequenceLength, attentionMask } = batch;
  return Array.from(
    { length: batchSize },
    (_, row) => attentionMask.subarray(row * sequenceLength, (row + 1) * sequenceLength).lastIndexOf(1) + 1,
  );
}

/** Each row on its own. */
export function eachRow(batch: TokenBatchV1): RowGroup[] {
  return rowLengths(batch).flatMap((length, row) => group(batch, [row], length));
}

/** Rows of the same length together, so that a graph whose answers depend on padding gets none. */
export function rowsOfEqualLength(batch: TokenBatchV1): RowGroup[] {
  const byLength = new Map<number, number[]>();
  rowLengths(batch).forEach((length, row) => {
    const rows = byLength.get(length);
    if (rows) rows.push(row);
    else byLength.set(length, [row]);
  });
  return [...byLength].flatMap(([length, rows]) => group(batch, rows, length));
}

/** True when some row is shorter than the batch's sequence length. */
export function hasPadding(batch: TokenBatchV1): boolean {
  return rowLengths(batch).some((length) => length < batch.sequenceLength);
}

/** The rows cut to `length` tokens, with the positions asked for in them; none when no position is asked for there. */
function group(batch: TokenBatchV1, rows: readonly number[], length: number): RowGroup[] {
  const { sequenceLength } = batch;
  const positionIndices: number[] = [];
  const positions: number[] = [];
  rows.forEach((row, groupRow) => {
    const first = row * sequenceLength;
    batch.positions.forEach((position, index) => {
      if (position < first || position >= first + sequenceLength) return;
      positionIndices.push(index);
      positions.push(groupRow * length + position - first);
    });
  });
  if (positions.length === 0) return [];
  const cut = (values: Int32Array): Int32Array => {
    const out = new Int32Array(rows.length * length);
    for (const [groupRow, row] of rows.entries())
      out.set(values.subarray(row * sequenceLength, row * sequenceLength + length), groupRow * length);
    return out;
  };
  return [
    {
      batch: {
        batchSize: rows.length,
        sequenceLength: length,
        inputIds: cut(batch.inputIds),
        attentionMask: cut(batch.attentionMask),
        tokenTypeIds: cut(batch.tokenTypeIds),
        positions: Int32Array.from(positions),
      },
      positionIndices,
    },
  ];
}
