import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, toPipelineOutput, type FillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createFillMaskServer, type AccessLogEntry, type FillMaskServer, type FillMaskServerOptions } from './index.js';
import { gateFillMask, postChunked, postJson } from './fill-mask-server.test-helper.js';

// Limits, load states, shutdown, auth and the access log, against the real model. Where a test must
// hold the model busy, a gate in front of the real FillMask decides when each batch may run.

let fillMask: FillMask;
const servers: FillMaskServer[] = [];

beforeAll(async () => {
  fillMask = await createFillMask({ model: fixtureModelPath('tiny-roberta'), backend: createOnnxBackend() });
});
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close({ timeoutMs: 1000 })));
});
afterAll(() => fillMask?.dispose());

async function start(options: Omit<FillMaskServerOptions, 'fillMask'> & { fillMask?: FillMaskServerOptions['fillMask'] } = {}) {
  const server = createFillMaskServer({ fillMask, ...options });
  servers.push(server);
  return { server, url: await server.listen({ port: 0 }) };
}

const sentence = 'Paris is the <mask> of France.';

describe('request body limit', () => {
  it('refuses a 10 MB body with 413, from its Content-Length, and keeps serving', async () => {
    const { server, url } = await start();
    const body = JSON.stringify({ inputs: `${'x'.repeat(10 * 1024 * 1024)} <mask>` });
    const answer = await postJson(url, body);
    expect(answer.status).toBe(413);
    expect(answer.body).toEqual({ error: 'The request body is larger than the server accepts (1048576 bytes).' });
    expect(answer.headers.get('connection')).toBe('close');
    expect((await postJson(url, { inputs: sentence })).status).toBe(200);
    expect(server.stats.batchedInputs).toBe(1);
  });

  it('refuses a chunked body without Content-Length as soon as it passes the limit', async () => {
    const { server, url } = await start({ maxBodyBytes: 64 * 1024 });
    const answer = await postChunked(url, Buffer.alloc(64 * 1024, 'x'), 160);
    expect(answer.status).toBe(413);
    expect(JSON.parse(answer.body)).toEqual({ error: 'The request body is larger than the server accepts (65536 bytes).' });
    expect(server.stats.batches).toBe(0);
  });
});

describe('bounded queue and per-request timeout', () => {
  it('answers 503 with Retry-After when the queue is full, and serves the queued requests', async () => {
    const gated = gateFillMask(fillMask);
    const { server, url } = await start({ fillMask: gated.fillMask, maxQueuedInputs: 3, batchWindowMs: 0 });
    gated.shut();
    const running = postJson(url, { inputs: sentence });
    await gated.untilCalls(1);
    // The model is busy with the first request; three inputs may wait.
    const queued = [postJson(url, { inputs: ['A <mask>.', 'B <mask>.'] }), postJson(url, { inputs: 'C <mask>.' })];
    await until(() => server.stats.queuedInputs === 3);
    const refused = await postJson(url, { inputs: 'D <mask>.' });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect((refused.body as { error: string }).error).toMatch(/^The server is busy: 3 inputs are waiting/);
    const tooBig = await postJson(url, { inputs: ['1 <mask>', '2 <mask>', '3 <mask>', '4 <mask>'] });
    expect([tooBig.status, tooBig.body]).toEqual([413, { error: 'A request may hold at most 3 inputs; split it into several.' }]);
    gated.open();
    const answers = await Promise.all([running, ...queued]);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(answers[1].body).toEqual(JSON.parse(JSON.stringify((await fillMask.fill(['A <mask>.', 'B <mask>.'])).map(toPipelineOutput))));
    expect(gated.calls).toEqual([1, 3]);
  });

  it('answers 504 when a request waits longer than requestTimeoutMs, and drops it from the queue', async () => {
    const gated = gateFillMask(fillMask);
    const log: AccessLogEntry[] = [];
    const { server, url } = await start({
      fillMask: gated.fillMask,
      requestTimeoutMs: 300,
      batchWindowMs: 0,
      accessLog: (entry) => log.push(entry),
    });
    gated.shut();
    const first = postJson(url, { inputs: sentence });
    await gated.untilCalls(1);
    const waiting = await postJson(url, { inputs: ['A <mask>.', 'B <mask>.'] });
    expect([waiting.status, waiting.body]).toEqual([504, { error: 'The request took longer than 300 ms.' }]);
    expect(server.stats.queuedInputs).toBe(0);
    expect((await first).status).toBe(504);
    gated.open();
    expect((await postJson(url, { inputs: sentence })).status).toBe(200);
    // The timed-out request never reached the model: only the first (already running) and the last did.
    expect(gated.calls).toEqual([1, 1]);
    expect(log.map((entry) => [entry.status, entry.error])).toEqual([
      [504, 'timeout'],
      [504, 'timeout'],
      [200, undefined],
    ]);
  });

  it('drops a queued request whose client went away', async () => {
    const gated = gateFillMask(fillMask);
    const { server, url } = await start({ fillMask: gated.fillMask, batchWindowMs: 0 });
    gated.shut();
    const first = postJson(url, { inputs: sentence });
    await gated.untilCalls(1);
    const controller = new AbortController();
    const abandoned = fetch(url, { method: 'POST', body: JSON.stringify({ inputs: 'A <mask>.' }), signal: controller.signal }).catch(
      (error: Error) => error,
    );
    await until(() => server.stats.queuedInputs === 1);
    controller.abort();
    await abandoned;
    await until(() => server.stats.queuedInputs === 0);
    gated.open();
    expect((await first).status).toBe(200);
    expect(gated.calls).toEqual([1]);
  });
});

describe('readiness', () => {
  it('answers 503 while the model loads, then serves it; /health tells which', async () => {
    let resolveModel!: (model: FillMask) => void;
    const { server, url } = await start({ fillMask: new Promise<FillMask>((resolve) => (resolveModel = resolve)), modelId: 'org/tiny' });
    expect(server.status).toBe('loading');
    const health = await fetch(`${url}/health`);
    expect([health.status, await health.json()]).toEqual([503, { status: 'loading' }]);
    const early = await postJson(url, { inputs: sentence });
    expect([early.status, early.headers.get('retry-after'), early.body]).toEqual([
      503,
      '5',
      { error: 'Model org/tiny is currently loading.' },
    ]);
    resolveModel(fillMask);
    await until(() => server.status === 'ready');
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await postJson(url, { inputs: sentence })).status).toBe(200);
  });

  it('reports a model that failed to load', async () => {
    const { server, url } = await start({ fillMask: Promise.reject(new Error('no such model')), modelId: 'org/missing' });
    await until(() => server.status === 'failed');
    const health = await fetch(`${url}/health`);
    expect([health.status, await health.json()]).toEqual([503, { status: 'failed', error: 'no such model' }]);
    const fill = await postJson(url, { inputs: sentence });
    expect([fill.status, fill.body]).toEqual([503, { error: 'Model org/missing failed to load: no such model' }]);
  });
});

describe('graceful shutdown', () => {
  it('finishes the requests in flight, refuses new connections, then closes', async () => {
    const gated = gateFillMask(fillMask);
    const server = createFillMaskServer({ fillMask: gated.fillMask, batchWindowMs: 0 });
    const url = await server.listen({ port: 0 });
    gated.shut();
    const inFlight = [postJson(url, { inputs: sentence }), postJson(url, { inputs: 'A <mask>.' })];
    await gated.untilCalls(1);
    await until(() => server.stats.inFlightRequests === 2);
    let closed = false;
    const closing = server.close().then(() => (closed = true));
    await until(() => server.status === 'stopping');
    await expect(fetch(`${url}/health`)).rejects.toThrow();
    expect(closed).toBe(false);
    gated.open();
    const answers = await Promise.all(inFlight);
    expect(answers.map((answer) => [answer.status, answer.headers.get('connection')])).toEqual([
      [200, 'close'],
      [200, 'close'],
    ]);
    await closing;
    expect(server.status).toBe('stopped');
    expect(server.stats.responses).toEqual({ 200: 2 });
  });
});

describe('bearer-token auth and the access log', () => {
  it('requires the token on every route but /health, and logs no input and no token', async () => {
    const log: AccessLogEntry[] = [];
    const token = 'fm_secret_token_123';
    const { url } = await start({ authTokens: ['other-token', token], accessLog: (entry) => log.push(entry) });
    const secretInput = 'My password is <mask> hunter2.';
    const missing = await postJson(url, { inputs: secretInput });
    expect([missing.status, missing.headers.get('www-authenticate'), missing.body]).toEqual([
      401,
      'Bearer',
      { error: 'Missing or invalid access token: send Authorization: Bearer <token>.' },
    ]);
    expect((await postJson(url, { inputs: secretInput }, { Authorization: 'Bearer wrong' })).status).toBe(401);
    expect((await fetch(`${url}/info`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/health`)).status).toBe(200);
    const allowed = await postJson(
      url,
      { inputs: secretInput, parameters: { targets: [' hunter2'] } },
      { Authorization: `Bearer ${token}`, 'User-Agent': 'test-client/1' },
    );
    expect(allowed.status).toBe(200);
    expect((await postJson(url, { inputs: 'no mask hunter2' }, { Authorization: 'Bearer other-token' })).status).toBe(400);

    const text = JSON.stringify(log);
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('password');
    expect(text).not.toContain(token);
    expect(log.map((entry) => [entry.method, entry.path, entry.status, entry.error])).toEqual([
      ['POST', '/', 401, 'unauthorized'],
      ['POST', '/', 401, 'unauthorized'],
      ['GET', '/info', 401, 'unauthorized'],
      ['GET', '/metrics', 401, 'unauthorized'],
      ['GET', '/health', 200, undefined],
      ['POST', '/', 200, undefined],
      ['POST', '/', 400, 'missing-mask'],
    ]);
    const served = log[5];
    expect(served).toMatchObject({ inputs: 1, remoteAddress: '127.0.0.1', userAgent: 'test-client/1' });
    expect(served.requestBytes).toBeGreaterThan(0);
    expect(served.responseBytes).toBeGreaterThan(0);
    expect(served.durationMs).toBeGreaterThanOrEqual(0);
    expect(Date.parse(served.time)).not.toBeNaN();
    expect(served.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

/** Polls a condition the server reaches on its own (a request queued, a status changed). */
async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error('condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
