import { RemoteRequestError } from '@fillmask/core';
import { isRetryableStatus } from './retry-policy.js';
import { parseJson, shortUrl, type HttpAnswer } from './send-with-retries.js';

/**
 * The typed error for a final answer that is not a success, with the service's own message
 * (`{"error": ...}` as the Inference API and `fillmask serve` send it, `detail` or `message` as other
 * servers do, or a short text body), its status and request id.
 */
export function errorFromAnswer(answer: HttpAnswer, redact: (text: string) => string): RemoteRequestError {
  const said = serviceMessage(answer.text);
  const after = answer.attempts > 1 ? ` after ${answer.attempts} attempts` : '';
  const wait =
    answer.retryAfterMs === undefined
      ? ''
      : ` It asked to retry after ${Math.ceil(answer.retryAfterMs / 1000)} s, longer than maxRetryDelayMs allows.`;
  return new RemoteRequestError({
    url: answer.url,
    message: `The service at ${shortUrl(answer.url)} answered HTTP ${answer.status}${after}${said === undefined ? '.' : `: ${redact(said)}`}${wait}`,
    status: answer.status,
    requestId: answer.headers.get('x-request-id') ?? undefined,
    isRetryable: isRetryableStatus(answer.status),
    attempts: answer.attempts,
    retryAfterMs: answer.retryAfterMs,
  });
}

function serviceMessage(text: string): string | undefined {
  const body = parseJson(text) as { error?: unknown; detail?: unknown; message?: unknown } | undefined;
  const field = [body?.error, body?.detail, body?.message].find((value) => typeof value === 'string') as string | undefined;
  if (field !== undefined) return field;
  const trimmed = text.trim();
  // An HTML error page from a proxy says nothing useful in one line.
  if (trimmed === '' || trimmed.startsWith('<')) return undefined;
  return trimmed.length > 300 ? `${trimmed.slice(0, 300)}…` : trimmed;
}
