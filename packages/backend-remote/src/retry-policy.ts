/** When and how long to retry a request; see RemoteBackendOptions for each field. */
export interface RetryPolicy {
  readonly maxRetries: number;
  readonly retryDelayMs: number;
  readonly maxRetryDelayMs: number;
  readonly timeoutMs: number;
}

/** Answers that say "not now" rather than "no": timeouts, rate limits, a model loading, a gateway failing. */
const retryableStatuses = new Set([408, 429, 502, 503, 504]);

export function isRetryableStatus(status: number): boolean {
  return retryableStatuses.has(status);
}

/**
 * The wait before retry number `retry` (1 for the first): exponential from `retryDelayMs`, capped at
 * `maxRetryDelayMs`, with "equal jitter" (between half and all of it) so that clients that failed
 * together do not retry together, yet never retry sooner than half the planned wait.
 */
export function backoffDelay(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const planned = Math.min(policy.maxRetryDelayMs, policy.retryDelayMs * 2 ** (retry - 1));
  return Math.round(planned / 2 + random() * (planned / 2));
}
