import type { TokenBatchV1 } from '../backend/fill-mask-backend-v1.js';
import type { EncodedInput } from './encode-input.js';

/**
 * Groups inputs into batches of similar length (sorted, then cut), so short inputs are not padded
 * to the longest of the whole call. Returns the input indices of each batch.
 */
export function groupByLength(inputs: readonly EncodedInput[], batchSize: number): number[][] {
  const order = inputs.map((_, index) => index).sort((a, b) => inputs[a].ids.length - inputs[b].ids.length || a - b);
  const groups: number[][] = [];
  for (let start = 0; start < order.length; start += batchSize) groups.push(order.slice(start, start + batchSize));
  return groups;
}

/** Pads a group to its longest input and lists every mask position, row by row. */
export function buildTokenBatch(inputs: readonly EncodedInput[], padTokenId: number): TokenBatchV1 {
  const batchSize = inputs.length;
  const sequenceLength = Math.max(...inputs.map((input) => input.ids.length));
  const inputIds = new Int32Array(batchSize * sequenceLength).fill(padTokenId);
  const attentionMask = new Int32Array(batchSize * sequenceLength);
  const tokenTypeIds = new Int32Array(batchSize * sequenceLength);
  const positions: number[] = [];
  inputs.forEach((input, row) => {
    const offset = row * sequenceLength;
    inputIds.set(input.ids, offset);
    attentionMask.fill(1, offset, offset + input.ids.length);
    tokenTypeIds.set(input.tokenTypeIds, offset);
    for (const position of input.maskPositions) positions.push(offset + position);
  });
  return { batchSize, sequenceLength, inputIds, attentionMask, tokenTypeIds, positions: Int32Array.from(positions) };
}
