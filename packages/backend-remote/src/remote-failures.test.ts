import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFillMask, FillMaskError, RemoteRequestError, type FillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createRemoteBackend } from './create-remote-backend.js';
import type { RemoteBackendOptions } from './remote-backend-options.js';
import { gaps, startFaultyService, type FaultyService } from './faulty-service.test-helper.js';

// Failure paths against a local service that answers 429 and 503 with Retry-After, stalls, drops the
// connection or sends malformed JSON. Retries are checked by count and order, and waits against
// their configured lower bounds (never an upper bound tighter than several seconds).

let model: FillMask;
let service: FaultyService;
const sentence = 'Paris is the [MASK] of France.';
const token = 'hf_supersecret_token_1234';

beforeAll(async () => {
  model = await createFillMask({ model: fixtureModelPath('tiny-bert-uncased'), backend: createOnnxBackend() });
  service = await startFaultyService(model);
});
afterAll(async () => {
  await service?.close();
  await model?.dispose();
});
beforeEach(() => {
  service.calls.splice(0);
  service.script({ kind: 'fill' });
});

function remote(options: RemoteBackendOptions = {}): Promise<FillMask> {
  return createFillMask({
    model: 'fillmask-test/tiny-bert',
    backend: createRemoteBackend({ endpointUrl: service.url, maskToken: '[MASK]', accessToken: token, retryDelayMs: 20, ...options }),
  });
}

async function failure(promise: Promise<unknown>): Promise<RemoteRequestError> {
  const error = await promise.then(
    () => expect.unreachable('the call should have failed'),
    (reason: unknown) => reason,
  );
  expect(RemoteRequestError.isInstance(error), String(error)).toBe(true);
  expect(FillMaskError.isInstance(error)).toBe(true);
  expectNoToken(error);
  return error as RemoteRequestError;
}

function expectNoToken(error: unknown): void {
  expect(inspect(error, { depth: Infinity, showHidden: true })).not.toContain(token);
  expect(JSON.stringify(error)).not.toContain(token);
  expect(String(error)).not.toContain(token);
}

const expectedAnswer = async (text: string, topK?: number) => model.fill(text, { topK });

describe('the request @huggingface/inference builds', () => {
  it('is the Inference API fill-mask call: URL as given, bearer token, JSON with top_k and targets', async () => {
    const fillMask = await remote();
    await fillMask.fill(sentence, { topK: 3, targets: ['paris', 'london'] });
    await fillMask.fill([sentence, 'A [MASK] and a [MASK].']);
    const [single, batch] = service.calls;
    expect([single.method, single.path]).toEqual(['POST', '/']);
    expect(single.headers.authorization).toBe(`Bearer ${token}`);
    expect(single.headers['content-type']).toBe('application/json');
    expect(single.headers['user-agent']).toMatch(/^@huggingface\/inference\/4\.\d+\.\d+/);
    expect(JSON.parse(single.body)).toEqual({ inputs: sentence, parameters: { top_k: 3, targets: ['paris', 'london'] } });
    expect(JSON.parse(batch.body)).toEqual({ inputs: [sentence, 'A [MASK] and a [MASK].'], parameters: { top_k: 5 } });
  });

  it('reads the nested lists of several masks, which the client itself refuses', async () => {
    const fillMask = await remote();
    const result = await fillMask.fill('The [MASK] sat on the [MASK].', { topK: 2 });
    expect(result).toEqual(await expectedAnswer('The [MASK] sat on the [MASK].', 2));
    const { fillMask: clientFillMask } = await import('@huggingface/inference');
    await expect(clientFillMask({ endpointUrl: service.url, inputs: 'The [MASK] sat on the [MASK].' })).rejects.toThrow(
      /malformed response/,
    );
  });
});

describe('retries', () => {
  it('honours Retry-After on 429 and 503, then succeeds', async () => {
    service.script(
      { kind: 'status', status: 429, headers: { 'Retry-After': '1' }, body: { error: 'Rate limit reached' } },
      { kind: 'status', status: 503, headers: { 'Retry-After': '1' }, body: { error: 'Service Unavailable' } },
      { kind: 'fill' },
    );
    const fillMask = await remote();
    expect(await fillMask.fill(sentence)).toEqual(await expectedAnswer(sentence));
    expect(service.calls).toHaveLength(3);
    // Retry-After says 1 s each time; the backoff alone would have waited 10-20 ms, then 20-40 ms.
    for (const wait of gaps(service.calls)) expect(wait).toBeGreaterThanOrEqual(950);
  });

  it('honours the estimated_time of a loading model (503 without Retry-After)', async () => {
    service.script(
      { kind: 'status', status: 503, body: { error: 'Model fillmask-test/tiny-bert is currently loading', estimated_time: 0.5 } },
      { kind: 'fill' },
    );
    const fillMask = await remote();
    expect(await fillMask.fill(sentence)).toEqual(await expectedAnswer(sentence));
    expect(gaps(service.calls)[0]).toBeGreaterThanOrEqual(450);
  });

  it('stops after maxRetries with exponential backoff, keeping status and request id', async () => {
    service.script({ kind: 'status', status: 503, body: { error: 'Service Unavailable' } });
    const fillMask = await remote({ maxRetries: 3, retryDelayMs: 100 });
    const started = performance.now();
    const error = await failure(fillMask.fill(sentence));
    expect(service.calls).toHaveLength(4);
    // Equal jitter: each wait is between half and all of 100, 200, 400 ms.
    const waits = gaps(service.calls);
    expect(waits[0]).toBeGreaterThanOrEqual(45);
    expect(waits[1]).toBeGreaterThanOrEqual(95);
    expect(waits[2]).toBeGreaterThanOrEqual(195);
    expect(performance.now() - started).toBeLessThan(10_000);
    expect([error.status, error.attempts, error.isRetryable, error.requestId]).toEqual([503, 4, true, service.calls[3].requestId]);
    expect(error.url).toBe(`${service.url}/`);
    expect(error.message).toBe(`The service at ${service.url}/ answered HTTP 503 after 4 attempts: Service Unavailable`);
  });

  it('does not wait past maxRetryDelayMs: a longer Retry-After ends the call at once, saying how long', async () => {
    service.script({ kind: 'status', status: 429, headers: { 'Retry-After': '120' } });
    const fillMask = await remote({ maxRetryDelayMs: 1000 });
    const error = await failure(fillMask.fill(sentence));
    expect(service.calls).toHaveLength(1);
    expect([error.status, error.retryAfterMs, error.attempts]).toEqual([429, 120_000, 1]);
    expect(error.message).toMatch(/It asked to retry after 120 s, longer than maxRetryDelayMs allows\.$/);
  });

  it('retries a dropped connection, and reports a network failure when it keeps dropping', async () => {
    service.script({ kind: 'drop' }, { kind: 'fill' });
    const fillMask = await remote();
    expect(await fillMask.fill(sentence)).toEqual(await expectedAnswer(sentence));
    expect(service.calls).toHaveLength(2);

    service.calls.splice(0);
    service.script({ kind: 'drop' });
    const error = await failure(fillMask.fill(sentence));
    expect(service.calls).toHaveLength(5);
    expect([error.status, error.attempts, error.isRetryable]).toEqual([undefined, 5, true]);
    expect(error.message).toMatch(new RegExp(`^Could not reach the service at ${service.url}/ \\(5 attempts\\): fetch failed`));
  });

  it('does not retry a request fetch refuses to send (a blocked port), and says what to check', async () => {
    const started = Date.now();
    const error = await failure(
      createFillMask({
        model: 'fillmask-test/tiny-bert',
        backend: createRemoteBackend({ endpointUrl: 'http://127.0.0.1:9', maskToken: '[MASK]', retryDelayMs: 1000 }),
      }).then((fillMask) => fillMask.fill(sentence)),
    );
    expect(error.attempts).toBe(1);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(error.message).toMatch(/^Could not reach the service at http:\/\/127\.0\.0\.1:9\/.* \(1 attempt\): fetch failed: bad port\. /);
    expect(error.message).toContain('Check that the service runs there (fillmask serve, an Inference Endpoint)');
  });

  it('times out a stalled request, and a stalled body, after timeoutMs per attempt', async () => {
    for (const stall of [{ kind: 'stall' }, { kind: 'stall-body' }] as const) {
      service.calls.splice(0);
      service.script(stall);
      const fillMask = await remote({ timeoutMs: 300, maxRetries: 1 });
      const started = performance.now();
      const error = await failure(fillMask.fill(sentence));
      expect(service.calls, stall.kind).toHaveLength(2);
      expect(performance.now() - started).toBeGreaterThanOrEqual(590);
      expect([error.status, error.attempts, error.isRetryable]).toEqual([undefined, 2, true]);
      expect(error.message).toBe(`The service at ${service.url}/ did not answer within 300 ms (2 attempts).`);
    }
  });

  it('does not retry what would fail again: 400, malformed JSON, a result of another shape', async () => {
    service.script({ kind: 'status', status: 400, body: { error: 'No mask_token ([MASK]) found on the input' } });
    const fillMask = await remote();
    const badRequest = await failure(fillMask.fill(sentence));
    expect([badRequest.status, badRequest.isRetryable, badRequest.attempts]).toEqual([400, false, 1]);
    expect(badRequest.message).toBe(`The service at ${service.url}/ answered HTTP 400: No mask_token ([MASK]) found on the input`);

    service.script({ kind: 'malformed-json' });
    const malformed = await failure(fillMask.fill(sentence));
    expect([malformed.status, malformed.isRetryable]).toEqual([200, false]);
    expect(malformed.message).toBe(`The service at ${service.url}/ answered HTTP 200 with a body that is not JSON.`);

    service.script({ kind: 'wrong-shape' });
    const wrongShape = await failure(fillMask.fill(sentence));
    expect(wrongShape.message).toMatch(
      /answered HTTP 200 with a result that is neither a list of \{score, token, token_str, sequence\} nor a list of such lists\.$/,
    );
    expect(service.calls).toHaveLength(3);
  });
});

describe('cancellation and secrets', () => {
  it('stops at the caller signal, during a request and during a backoff wait', async () => {
    const fillMask = await remote({ timeoutMs: 30_000 });
    service.script({ kind: 'stall' });
    const reason = new Error('caller gave up');
    const controller = new AbortController();
    const stalled = fillMask.fill(sentence, { signal: controller.signal });
    await until(() => service.calls.length === 1);
    controller.abort(reason);
    await expect(stalled).rejects.toBe(reason);

    service.calls.splice(0);
    service.script({ kind: 'status', status: 503, headers: { 'Retry-After': '10' } });
    const waiting = new AbortController();
    const backingOff = fillMask.fill(sentence, { signal: waiting.signal });
    await until(() => service.calls.length === 1);
    waiting.abort(reason);
    await expect(backingOff).rejects.toBe(reason);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(service.calls).toHaveLength(1);
  });

  it('keeps the token out of every error, even when the service repeats it', async () => {
    service.script({ kind: 'status', status: 401, body: { error: `Invalid token ${token} for this endpoint` } });
    const fillMask = await remote();
    const error = await failure(fillMask.fill(sentence));
    expect(error.message).toBe(`The service at ${service.url}/ answered HTTP 401: Invalid token [redacted] for this endpoint`);
    expect(service.calls[0].headers.authorization).toBe(`Bearer ${token}`);
    for (const reply of [{ kind: 'drop' }, { kind: 'malformed-json' }] as const) {
      service.script(reply);
      await failure(fillMask.fill(sentence));
    }
  });

  it('a failed input of a fillSettled call gets the service error in its own slot', async () => {
    const fillMask = await remote();
    service.script(
      { kind: 'status', status: 400, body: { error: 'Input 1 is too long' } },
      { kind: 'fill' },
      { kind: 'status', status: 400, body: { error: 'too long' } },
      { kind: 'fill' },
    );
    const settled = await fillMask.fillSettled([sentence, 'The [MASK] is long.', 'I love my [MASK].']);
    expect(settled.map((slot) => slot.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(RemoteRequestError.isInstance((settled[1] as { reason: unknown }).reason)).toBe(true);
    expect((settled[0] as { value: unknown }).value).toEqual(await expectedAnswer(sentence));
    expect((settled[2] as { value: unknown }).value).toEqual(await expectedAnswer('I love my [MASK].'));
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error('condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
