import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from './parse-retry-after.js';
import { backoffDelay, isRetryableStatus } from './retry-policy.js';

const policy = { maxRetries: 4, retryDelayMs: 500, maxRetryDelayMs: 3000, timeoutMs: 1000 };

describe('backoffDelay', () => {
  it('doubles from retryDelayMs, capped at maxRetryDelayMs, between half and all of it', () => {
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 0))).toEqual([250, 500, 1000, 1500, 1500]);
    expect([1, 2, 3, 4, 5].map((retry) => backoffDelay(policy, retry, () => 1))).toEqual([500, 1000, 2000, 3000, 3000]);
    expect(backoffDelay(policy, 2, () => 0.5)).toBe(750);
  });
});

describe('isRetryableStatus', () => {
  it('retries 408, 429, 502, 503, 504 and nothing else', () => {
    const statuses = [200, 400, 401, 403, 404, 408, 413, 422, 429, 500, 501, 502, 503, 504];
    expect(statuses.filter(isRetryableStatus)).toEqual([408, 429, 502, 503, 504]);
  });
});

describe('parseRetryAfter', () => {
  it('reads delay-seconds, an HTTP date, or the estimated_time of a loading model', () => {
    const now = Date.parse('Wed, 21 Oct 2026 07:28:00 GMT');
    expect(parseRetryAfter('2', undefined, now)).toBe(2000);
    expect(parseRetryAfter(' 0.5 ', undefined, now)).toBe(500);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:28:30 GMT', undefined, now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 21 Oct 2026 07:27:00 GMT', undefined, now)).toBe(0);
    expect(parseRetryAfter(null, { error: 'Model is currently loading', estimated_time: 20.0 }, now)).toBe(20_000);
    expect(parseRetryAfter('3', { estimated_time: 20 }, now)).toBe(3000);
  });

  it('is undefined for nothing usable', () => {
    for (const [header, body] of [
      [null, undefined],
      ['', null],
      ['soon', { estimated_time: -1 }],
      [null, { estimated_time: '20' }],
    ] as const) {
      expect(parseRetryAfter(header, body)).toBeUndefined();
    }
  });
});
