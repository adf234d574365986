/**
 * The peer's pseudo-log-likelihood (Salazar et al. 2020, as mlm-scoring computes it), written
 * independently of fillmask: every scored token of a sentence masked in a copy of its own, the copies
 * run through the unmodified graph in batches of equal-length rows, and log softmax of the logits at
 * the masked position, summed.
 */

/** The positions of the tokens that are scored: every one that is not a special token. */
export function scoredPositions(ids: readonly number[], specialIds: ReadonlySet<number>): number[] {
  return ids.flatMap((id, position) => (specialIds.has(id) ? [] : [position]));
}

/** A batch of masked copies of one sentence: `rows` copies of `length` ids, the copy `row` masked at `positions[row]`. */
export interface MaskedCopyBatch {
  readonly positions: readonly number[];
  readonly length: number;
  /** Row-major [rows × length], for an int64 tensor. */
  readonly ids: BigInt64Array;
}

/** The copies of `ids`, one per position in `positions` with the mask there, in batches of at most `batchSize` rows. */
export function maskedCopyBatches(
  ids: readonly number[],
  positions: readonly number[],
  maskId: number,
  batchSize: number,
): MaskedCopyBatch[] {
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`the batch size must be a positive integer, not ${batchSize}`);
  const sentence = BigInt64Array.from(ids, BigInt);
  const batches: MaskedCopyBatch[] = [];
  for (let start = 0; start < positions.length; start += batchSize) {
    const batchPositions = positions.slice(start, start + batchSize);
    const rows = new BigInt64Array(batchPositions.length * ids.length);
    batchPositions.forEach((position, row) => {
      rows.set(sentence, row * ids.length);
      rows[row * ids.length + position] = BigInt(maskId);
    });
    batches.push({ positions: batchPositions, length: ids.length, ids: rows });
  }
  return batches;
}

/**
 * log P(`id`) at the masked position of `row`, from the logits of a [rows × length × vocabulary]
 * output: the logit minus the log of the sum of the row's exponentials, which are taken relative to
 * the largest logit so that none overflows.
 */
export function maskedLogProbability(
  logits: Float32Array,
  batch: MaskedCopyBatch,
  row: number,
  vocabularySize: number,
  id: number,
): number {
  const start = (row * batch.length + batch.positions[row]) * vocabularySize;
  const scores = logits.subarray(start, start + vocabularySize);
  const largest = scores.reduce((max, value) => Math.max(max, value), -Infinity);
  const logSumExp = largest + Math.log(scores.reduce((sum, value) => sum + Math.exp(value - largest), 0));
  return scores[id] - logSumExp;
}
