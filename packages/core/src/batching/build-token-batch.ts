import type { TokenBatchV1 } from '../backend/fill-mask-backend-v1.js';
import type { EncodedInput } from '../fill-mask/encode-input.js';

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
