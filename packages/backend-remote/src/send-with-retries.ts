import { RemoteRequestError } from '@fillmask/core';
import { abortableSleep } from './abortable-sleep.js';
import { describeNetworkError } from '@fillmask/core';
import { parseRetryAfter } from './parse-retry-after.js';
import { backoffDelay, isRetryableStatus, type RetryPolicy } from './retry-policy.js';

/** The last HTTP answer of a call, read whole. */
export interface HttpAnswer {
  readonly url: string;
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Requests sent, retries included. */
  readonly attempts: number;
  /** The service asked to wait this long and that is longer than the retries may wait. */
  readonly retryAfterMs: number | undefined;
}

export interface SendOptions {
  readonly policy: RetryPolicy;
  readonly fetch: typeof globalThis.fetch;
  /** The caller's signal: aborting it rejects with its reason, at once, whatever is under way. */
  readonly signal: AbortSignal | undefined;
  /** Removes the access token from text that came from the network, before it goes into a message. */
  readonly redact: (text: string) => string;
  /** Chooses the jitter; tests leave it to Math.random. */
  readonly random?: () => number;
}

/**
 * Sends a request, and again after a network failure, a timeout or a retryable status (408, 429,
 * 502, 503, 504), waiting with exponential backoff and jitter, never less than `Retry-After`, up to
 * `maxRetries` times. Resolves with the final answer, whatever its status; rejects with
 * RemoteRequestError when no answer came (network failure or timeout on the last attempt).
 */
export async function sendWithRetries(url: string, init: RequestInit, options: SendOptions): Promise<HttpAnswer> {
  const { policy, signal } = options;
  for (let attempt = 1; ; attempt++) {
    signal?.throwIfAborted();
    const outcome = await sendOnce(url, init, options);
    const retriesLeft = attempt <= policy.maxRetries;
    if ('status' in outcome) {
      const answer = { ...outcome, attempts: attempt, retryAfterMs: undefined };
      if (!isRetryableStatus(outcome.status) || !retriesLeft) return answer;
      const retryAfterMs = parseRetryAfter(outcome.headers.get('retry-after'), parseJson(outcome.text));
      // Waiting less than asked only earns another refusal; waiting longer than allowed is the caller's call.
      if (retryAfterMs !== undefined && retryAfterMs > policy.maxRetryDelayMs) return { ...answer, retryAfterMs };
      await abortableSleep(Math.max(backoffDelay(policy, attempt, options.random), retryAfterMs ?? 0), signal);
      continue;
    }
    if (!retriesLeft || isPermanentFailure(outcome)) throw noAnswerError(url, outcome, attempt, options);
    await abortableSleep(backoffDelay(policy, attempt, options.random), signal);
  }
}

type Outcome = Omit<HttpAnswer, 'attempts' | 'retryAfterMs'> | { readonly failure: 'timeout' | 'network'; readonly cause?: unknown };

async function sendOnce(url: string, init: RequestInit, options: SendOptions): Promise<Outcome> {
  const timeout = AbortSignal.timeout(options.policy.timeoutMs);
  const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  try {
    const response = await options.fetch(url, { ...init, signal });
    // The body is read under the same timeout: a service can stall after its headers too.
    const text = await response.text();
    return { url, status: response.status, headers: response.headers, text };
  } catch (cause) {
    if (options.signal?.aborted) throw options.signal.reason;
    return timeout.aborted ? { failure: 'timeout' } : { failure: 'network', cause };
  }
}

function noAnswerError(
  url: string,
  outcome: { failure: 'timeout' | 'network'; cause?: unknown },
  attempts: number,
  options: SendOptions,
): RemoteRequestError {
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  const message =
    outcome.failure === 'timeout'
      ? `The service at ${shortUrl(url)} did not answer within ${options.policy.timeoutMs} ms (${tries}).`
      : `Could not reach the service at ${shortUrl(url)} (${tries}): ${options.redact(describeNetworkError(outcome.cause))}. ` +
        'Check that the service runs there (fillmask serve, an Inference Endpoint) and that the URL and port are right.';
  // The cause of a network failure holds no request data (undici's errors name only the address).
  return new RemoteRequestError({
    url,
    message,
    isRetryable: true,
    attempts,
    cause: outcome.failure === 'network' ? outcome.cause : undefined,
  });
}

/** A request fetch refuses to send at all (a port browsers and undici block, such as 9 or 6000): no retry can help. */
function isPermanentFailure(outcome: { failure: 'timeout' | 'network'; cause?: unknown }): boolean {
  return outcome.failure === 'network' && /\bbad port\b/.test(describeNetworkError(outcome.cause));
}

/** Origin and path, for messages. */
export function shortUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
