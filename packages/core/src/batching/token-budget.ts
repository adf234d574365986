/**
 * How a forward pass is sized. A batch's cost is its padded tokens (rows × its longest row), so a
 * budget on them, rather than a row count, keeps each pass near the size a CPU runs best whatever
 * the inputs' lengths: many short inputs share a pass, long ones run a few at a time.
 * Text Embeddings Inference's `max_batch_tokens` works the same way.
 */
export interface BatchLimits {
  /** Most padded tokens (rows × longest row) in one pass; an input longer than this runs alone. */
  readonly maxBatchTokens: number;
  /** Most rows in one pass. */
  readonly maxBatchSize: number;
}

/** Whether one more input of `length` fits a pass of `rows` rows whose longest is `longest`. */
export function fitsLimits(rows: number, longest: number, length: number, limits: BatchLimits): boolean {
  return rows < limits.maxBatchSize && (rows + 1) * Math.max(longest, length) <= limits.maxBatchTokens;
}

/**
 * Cuts items into batches in the order given, each within the limits. Given in ascending length
 * (see `planBatches`), consecutive inputs pad to lengths close to each other. Lazy, so a caller can
 * produce rows as they are taken.
 */
export function* cutByTokenBudget<T>(items: Iterable<T>, lengthOf: (item: T) => number, limits: BatchLimits): Generator<T[]> {
  let batch: T[] = [];
  let longest = 0;
  for (const item of items) {
    const length = lengthOf(item);
    if (batch.length > 0 && !fitsLimits(batch.length, longest, length, limits)) {
      yield batch;
      batch = [];
      longest = 0;
    }
    batch.push(item);
    longest = Math.max(longest, length);
  }
  if (batch.length > 0) yield batch;
}

/** The indices of `lengths`, shortest first, ties in input order: the order batches are cut in. */
export function orderByLength(lengths: readonly number[]): number[] {
  return lengths.map((_, index) => index).sort((a, b) => lengths[a] - lengths[b] || a - b);
}

/** Sorts inputs by length (ties in input order) and cuts them by the limits; returns each batch's input indices. */
export function planBatches(lengths: readonly number[], limits: BatchLimits): number[][] {
  return [...cutByTokenBudget(orderByLength(lengths), (index) => lengths[index], limits)];
}

/** Padded tokens per forward pass when neither the config nor the backend gives a number; see FillMaskConfig.maxBatchTokens. */
export const defaultMaxBatchTokens = 512;
