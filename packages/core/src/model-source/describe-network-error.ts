/**
 * The chain of messages of a failed fetch or body read, e.g. `fetch failed: connect ECONNREFUSED
 * 127.0.0.1:9`: undici's own message ("fetch failed", "terminated") says little without its causes.
 */
export function describeNetworkError(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (current.message !== '' && !messages.includes(current.message)) messages.push(current.message);
    current = current.cause;
  }
  return messages.length > 0 ? messages.join(': ') : String(error);
}
