/** Padded tokens per forward pass for each runtime thread, and the fewest for any thread count. */
const tokensPerThread = 128;
const leastBatchTokens = 256;

/**
 * The token budget a CPU session runs best at, by its thread count. Each thread gets enough rows
 * for its share of a weight product to run at the GEMM rate, and a pass stays small enough that
 * its activations (tokens × the feed-forward width) stay in cache and that padding wastes little.
 * benchmarks/batch-tokens/results.md has the measurements behind the numbers.
 */
export function batchTokensForThreads(threads: number): number {
  const usable = Number.isInteger(threads) && threads >= 1 ? threads : 1;
  return Math.max(leastBatchTokens, tokensPerThread * usable);
}
