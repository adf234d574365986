import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.remote-request');

export interface RemoteRequestErrorOptions {
  /** The URL called; only its origin and path are kept (no credentials, query or fragment). */
  readonly url: string;
  readonly message: string;
  /** The HTTP status of the last answer; undefined when none came (network failure, timeout). */
  readonly status?: number;
  /** The service's `X-Request-Id` of the last answer, to trace the call on the service's side. */
  readonly requestId?: string;
  /** Whether the same request may succeed later (429, 503, network failures, timeouts). */
  readonly isRetryable: boolean;
  /** Requests sent for this call, retries included. */
  readonly attempts: number;
  /** How long the service asked to wait before trying again (`Retry-After`), in milliseconds. */
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/**
 * A call to a remote fill-mask service (the Hugging Face Inference API, an Inference Endpoint,
 * `fillmask serve`) failed after its retries: an HTTP error (`status` set), a network failure or a
 * timeout (`status` undefined), or an answer that is not a fill-mask result. The message and fields
 * never contain the access token.
 */
export class RemoteRequestError extends FillMaskError {
  private readonly [marker] = true;
  readonly url: string;
  readonly status: number | undefined;
  readonly requestId: string | undefined;
  readonly isRetryable: boolean;
  readonly attempts: number;
  readonly retryAfterMs: number | undefined;

  constructor(options: RemoteRequestErrorOptions) {
    super('FillMask_RemoteRequestError', options.message, { cause: options.cause });
    this.url = withoutSecrets(options.url);
    this.status = options.status;
    this.requestId = options.requestId;
    this.isRetryable = options.isRetryable;
    this.attempts = options.attempts;
    this.retryAfterMs = options.retryAfterMs;
  }

  static override isInstance(error: unknown): error is RemoteRequestError {
    return hasMarker(error, marker);
  }
}

/** Origin and path: user info, query strings and fragments can carry credentials. */
function withoutSecrets(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}
