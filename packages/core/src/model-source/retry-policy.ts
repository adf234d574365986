import { HubRequestError } from '../errors/hub-request-error.js';

/** How a failed Hub request is tried again (see `ModelSourceOptions.retry`). */
export interface RetrySettings {
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

/** huggingface_hub's default for its timeouts (HF_HUB_ETAG_TIMEOUT, HF_HUB_DOWNLOAD_TIMEOUT), in seconds. */
export const defaultTimeoutSeconds = 10;

/** huggingface_hub's http_backoff: 5 tries, waits from 1 s to 8 s. */
export const defaultRetry: RetrySettings = { maxAttempts: 5, baseDelayMs: 1000, maxDelayMs: 8000 };

/** Network errors that retrying cannot help: nothing listens there, or the name does not resolve. */
const permanentNetworkCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ERR_INVALID_URL', 'CERT_HAS_EXPIRED']);

/** HTTP statuses that may pass: too many requests, timeouts, server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Whether a failed request may succeed if tried again: a dropped or timed-out connection, a body cut
 * short, HTTP 429 or 5xx. A refused connection or an unknown host fails at once (a wrong HF_ENDPOINT
 * or no network should not cost a minute of retries); HTTP 4xx other than 408 and 429 never passes.
 */
export function isRetryableError(error: unknown): boolean {
  if (!HubRequestError.isInstance(error)) return false;
  if (error.status !== undefined) return isRetryableStatus(error.status);
  return !hasPermanentCode(error.cause);
}

function hasPermanentCode(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current instanceof Error; depth += 1) {
    const code = (current as Error & { code?: string }).code;
    if (code !== undefined && permanentNetworkCodes.has(code)) return true;
    if (current instanceof AggregateError && current.errors.some(hasPermanentCode)) return true;
    current = current.cause;
  }
  return false;
}

/**
 * The wait before retry number `retry` (1 for the first retry): `baseDelayMs` doubled each time, capped
 * at `maxDelayMs`, with jitter (between half and all of it), so that clients failing together do not
 * come back together. A `Retry-After` (seconds or an HTTP date) replaces it, capped the same way.
 */
export function retryDelayMs(retry: number, settings: RetrySettings, retryAfter: string | null = null, random = Math.random): number {
  const asked = parseRetryAfter(retryAfter);
  if (asked !== undefined) return Math.min(asked, settings.maxDelayMs);
  const exponential = Math.min(settings.baseDelayMs * 2 ** (retry - 1), settings.maxDelayMs);
  return Math.round(exponential * (0.5 + random() / 2));
}

/** `Retry-After: 120` or `Retry-After: Wed, 21 Oct 2015 07:28:00 GMT`, in ms from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Sends a request until its answer is not a retryable status (408, 429, 5xx) or `maxAttempts` are
 * spent, waiting between tries with backoff, or as `Retry-After` asks. A send that throws is tried
 * again while `retryable(error)` says it may pass; otherwise, or on the last try, its error stands.
 * The last answer is returned whatever its status; a retried answer's body is discarded.
 */
export async function sendWithRetries<Answer>(
  settings: RetrySettings,
  send: () => Promise<Answer>,
  responseOf: (answer: Answer) => Response,
  retryable: (error: unknown) => boolean,
): Promise<Answer> {
  for (let attempt = 1; ; attempt += 1) {
    const last = attempt >= settings.maxAttempts;
    let answer: Answer;
    try {
      answer = await send();
    } catch (error) {
      if (last || !retryable(error)) throw error;
      await sleep(retryDelayMs(attempt, settings));
      continue;
    }
    const response = responseOf(answer);
    if (last || !isRetryableStatus(response.status)) return answer;
    await response.body?.cancel().catch(() => undefined);
    await sleep(retryDelayMs(attempt, settings, response.headers.get('retry-after')));
  }
}
