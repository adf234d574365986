/**
 * `Retry-After` in milliseconds: delay-seconds or an HTTP date. Without the header, the Inference
 * API's loading answer (`{"estimated_time": 20.0}`) says the same in its body.
 */
export function parseRetryAfter(header: string | null, body: unknown, now = Date.now()): number | undefined {
  if (header !== null && header.trim() !== '') {
    const text = header.trim();
    if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
    const date = Date.parse(text);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const estimated = (body as { estimated_time?: unknown } | null)?.estimated_time;
  return typeof estimated === 'number' && Number.isFinite(estimated) && estimated >= 0 ? Math.round(estimated * 1000) : undefined;
}
