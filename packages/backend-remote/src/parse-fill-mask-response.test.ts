import { describe, expect, it } from 'vitest';
import { RemoteRequestError } from '@fillmask/core';
import { parseFillMaskResponse } from './parse-fill-mask-response.js';
import type { HttpAnswer } from './send-with-retries.js';

const prediction = (token: number) => ({ score: 1 / token, token, token_str: `t${token}`, sequence: `s${token}` });

function answer(body: unknown): HttpAnswer {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return {
    url: 'http://127.0.0.1:8080/?q=1',
    status: 200,
    headers: new Headers({ 'x-request-id': 'r-1' }),
    text,
    attempts: 1,
    retryAfterMs: undefined,
  };
}

function refusal(body: unknown, inputs: number): RemoteRequestError {
  try {
    parseFillMaskResponse(answer(body), inputs);
  } catch (error) {
    expect(RemoteRequestError.isInstance(error)).toBe(true);
    return error as RemoteRequestError;
  }
  return expect.unreachable('the answer should have been refused');
}

describe('parseFillMaskResponse', () => {
  it('one input: a flat list is one mask, a list of lists several', () => {
    expect(parseFillMaskResponse(answer([prediction(1), prediction(2)]), 1)).toEqual([[[prediction(1), prediction(2)]]]);
    expect(parseFillMaskResponse(answer([[prediction(1)], [prediction(2)]]), 1)).toEqual([[[prediction(1)], [prediction(2)]]]);
  });

  it('several inputs: one result per input, each flat or nested', () => {
    const parsed = parseFillMaskResponse(answer([[prediction(1)], [[prediction(2)], [prediction(3)]]]), 2);
    expect(parsed).toEqual([[[prediction(1)]], [[prediction(2)], [prediction(3)]]]);
  });

  it('keeps only the four fields of a prediction', () => {
    expect(parseFillMaskResponse(answer([{ ...prediction(1), extra: true }]), 1)).toEqual([[[prediction(1)]]]);
  });

  it('refuses other shapes with a typed error that keeps the status and request id', () => {
    const cases: Array<[unknown, number, RegExp]> = [
      ['[{"score":', 1, /with a body that is not JSON\.$/],
      [{ error: 'x' }, 1, /a result that is neither a list/],
      [[], 1, /neither a list/],
      [[[]], 1, /neither a list/],
      [[{ score: '1', token: 1, token_str: 'a', sequence: 'b' }], 1, /neither a list/],
      [[prediction(1)], 2, /a result that is not a list of 2 results, one per input\.$/],
      [[[prediction(1)], 'x'], 2, /a result for input 1 that is neither a list/],
    ];
    for (const [body, inputs, message] of cases) {
      const error = refusal(body, inputs);
      expect(error.message, JSON.stringify(body)).toMatch(message);
      expect([error.status, error.requestId, error.isRetryable, error.url]).toEqual([200, 'r-1', false, 'http://127.0.0.1:8080/']);
    }
  });
});
