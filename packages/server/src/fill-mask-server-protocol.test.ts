import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, toPipelineOutput, type FillMask, type FillOptions } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createFillMaskServer, type FillMaskServer } from './index.js';
import { postJson } from './fill-mask-server.test-helper.js';

// The server against the real model: every answer is compared with what the library returns for
// the same call, put in the Python pipeline's shape (which the Inference API answers).

let fillMask: FillMask;
let server: FillMaskServer;
let url: string;

beforeAll(async () => {
  fillMask = await createFillMask({
    model: fixtureModelPath('tiny-bert-uncased'),
    backend: createOnnxBackend(),
    onWarning: () => undefined,
  });
  server = createFillMaskServer({ fillMask, modelId: 'fillmask-test/tiny-bert' });
  url = await server.listen({ port: 0 });
});

afterAll(async () => {
  await server?.close();
  await fillMask?.dispose();
});

/** What the hosted API answers for this body: the pipeline's shapes of the library's results, through JSON. */
async function expected(inputs: string | string[], options: FillOptions = {}): Promise<unknown> {
  const value =
    typeof inputs === 'string'
      ? toPipelineOutput(await fillMask.fill(inputs, options))
      : inputs.length === 1
        ? toPipelineOutput((await fillMask.fill(inputs, options))[0])
        : (await fillMask.fill(inputs, options)).map(toPipelineOutput);
  return JSON.parse(JSON.stringify(value));
}

describe('the fill-mask protocol of the Inference API', () => {
  it('one input with one mask: a flat list of {score, token, token_str, sequence}, 5 by default', async () => {
    const answer = await postJson(url, { inputs: 'Paris is the [MASK] of France.' });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(answer.body).toEqual(await expected('Paris is the [MASK] of France.'));
    expect(answer.body).toHaveLength(5);
    expect(Object.keys((answer.body as object[])[0]).sort()).toEqual(['score', 'sequence', 'token', 'token_str']);
  });

  it('one input with several masks: a list per mask', async () => {
    const answer = await postJson(url, { inputs: 'The [MASK] sat on the [MASK].', parameters: { top_k: 3 } });
    expect(answer.body).toEqual(await expected('The [MASK] sat on the [MASK].', { topK: 3 }));
    expect((answer.body as unknown[][]).map((mask) => mask.length)).toEqual([3, 3]);
  });

  it('a list of inputs: one result per input; a list of one is unwrapped, as the pipeline does', async () => {
    const inputs = ['Paris is the [MASK] of France.', 'The [MASK] sat on the [MASK].', 'I love my [MASK].'];
    const answer = await postJson(url, { inputs, parameters: { top_k: 2 } });
    expect(answer.body).toEqual(await expected(inputs, { topK: 2 }));
    expect((answer.body as unknown[]).length).toBe(3);
    const single = await postJson(url, { inputs: ['I love my [MASK].'] });
    expect(single.body).toEqual(await expected('I love my [MASK].'));
  });

  it('top_k and targets as the pipeline takes them: a string or a list', async () => {
    for (const parameters of [
      { targets: ['cat', 'dog', 'house'] },
      { targets: 'dog' },
      { top_k: 2, targets: ['cat', 'dog', 'house'] },
      { top_k: 40 },
    ]) {
      const answer = await postJson(url, { inputs: 'I love my [MASK].', parameters });
      const options = { topK: parameters.top_k, targets: parameters.targets };
      expect(answer.body, JSON.stringify(parameters)).toEqual(await expected('I love my [MASK].', options));
    }
  });

  it('POST /models/<id> serves the same; another id, another path or method are refused', async () => {
    const body = { inputs: 'Paris is the [MASK] of France.', parameters: { top_k: 1 } };
    const direct = await postJson(url, body);
    for (const path of ['/models/fillmask-test/tiny-bert', '/models/fillmask-test/tiny-bert/', '/models/fillmask-test%2Ftiny-bert']) {
      const answer = await postJson(`${url}${path}`, body);
      expect([path, answer.status, answer.body]).toEqual([path, 200, direct.body]);
    }
    const other = await postJson(`${url}/models/org/other`, body);
    expect([other.status, other.body]).toEqual([
      404,
      { error: 'Model org/other is not served here; this server serves fillmask-test/tiny-bert.' },
    ]);
    expect((await postJson(`${url}/predict`, body)).status).toBe(404);
    const get = await fetch(url);
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('ignores "options", which older Inference API clients send', async () => {
    const answer = await postJson(url, { inputs: 'I love my [MASK].', options: { wait_for_model: true, use_cache: false } });
    expect(answer.body).toEqual(await expected('I love my [MASK].'));
  });

  it.each([
    ['malformed JSON', '{"inputs": "a [MASK]"', /^The request body is not valid JSON/],
    ['a JSON value that is not an object', '["a [MASK]"]', /^The request body must be a JSON object/],
    ['no inputs', { parameters: { top_k: 1 } }, /^The request body has no "inputs"/],
    ['inputs of the wrong type', { inputs: 42 }, /^"inputs" must be a string or a non-empty array of strings/],
    ['an empty list', { inputs: [] }, /^"inputs" must be/],
    ['a list holding a number', { inputs: ['a [MASK]', 3] }, /^"inputs" must be/],
    ['an input without the mask', { inputs: 'no mask here' }, /^No mask token found in the input: write \[MASK\]/],
    ['a listed input without the mask', { inputs: ['a [MASK]', 'no mask'] }, /^No mask token found in input 1:/],
    ['top_k 0', { inputs: 'a [MASK]', parameters: { top_k: 0 } }, /^"top_k" must be an integer of at least 1\.$/],
    ['top_k as a string', { inputs: 'a [MASK]', parameters: { top_k: '3' } }, /^"top_k" must be/],
    ['top_k 1.5', { inputs: 'a [MASK]', parameters: { top_k: 1.5 } }, /^"top_k" must be/],
    [
      'targets of the wrong type',
      { inputs: 'a [MASK]', parameters: { targets: 5 } },
      /^"targets" must be a string or a non-empty array of strings\.$/,
    ],
    ['empty targets', { inputs: 'a [MASK]', parameters: { targets: [] } }, /^"targets" must be/],
    [
      'targets that encode to nothing',
      { inputs: 'a [MASK]', parameters: { targets: [''] } },
      /^Invalid targets: expected at least one target the tokenizer can encode/,
    ],
    ['an unknown parameter', { inputs: 'a [MASK]', parameters: { max_length: 3 } }, /^Unknown parameter "max_length"/],
    ['parameters not an object', { inputs: 'a [MASK]', parameters: [1] }, /^"parameters" must be an object\.$/],
    [
      'tokenizer_kwargs other than truncation',
      { inputs: 'a [MASK]', parameters: { tokenizer_kwargs: { padding: true } } },
      /^"tokenizer_kwargs" may only hold "truncation"/,
    ],
  ])('answers 400 {"error": ...} for %s', async (_case, body, message) => {
    const answer = await postJson(url, body);
    expect(answer.status).toBe(400);
    expect(Object.keys(answer.body as object)).toEqual(['error']);
    expect((answer.body as { error: string }).error).toMatch(message);
  });

  it('names a too-long input by its place in the request, and keeps a window with tokenizer_kwargs.truncation', async () => {
    const long = `the [MASK] ${'word '.repeat(600)}`;
    // Sent together with other requests, the input still gets its own index in its own request.
    const [refused] = await Promise.all([postJson(url, { inputs: ['a [MASK].', long] }), postJson(url, { inputs: 'b [MASK].' })]);
    expect(refused.status).toBe(400);
    expect((refused.body as { error: string }).error).toMatch(
      /^Input 1 is \d+ tokens long \(special tokens included\) but the model accepts at most 512/,
    );
    const alone = await postJson(url, { inputs: long });
    expect((alone.body as { error: string }).error).toMatch(/^The input is \d+ tokens long/);
    // The advice names the protocol's parameter, not the JavaScript API's option.
    expect((alone.body as { error: string }).error).toMatch(
      /Shorten it, or send "parameters": \{"tokenizer_kwargs": \{"truncation": true\}\} to keep a window of 512 tokens around the masks\.$/,
    );
    const truncated = await postJson(url, { inputs: long, parameters: { top_k: 2, tokenizer_kwargs: { truncation: true } } });
    expect(truncated.status).toBe(200);
    expect(truncated.body).toEqual(await expected(long, { topK: 2, truncation: true }));
  });

  it('GET /info describes the model; GET /health says ready; GET /metrics counts', async () => {
    const info = await (await fetch(`${url}/info`)).json();
    expect(info).toEqual({ model: 'fillmask-test/tiny-bert', maskToken: '[MASK]', maxLength: 512, backend: 'onnx' });
    expect(await (await fetch(`${url}/models/fillmask-test/tiny-bert/info`)).json()).toEqual(info);
    const health = await fetch(`${url}/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    const head = await fetch(`${url}/health`, { method: 'HEAD' });
    expect([head.status, await head.text()]).toEqual([200, '']);
    const metrics = await (await fetch(`${url}/metrics?x=1`)).text();
    expect(metrics).toMatch(/^fillmask_batches_total [1-9]\d*$/m);
    expect(metrics).toMatch(/^fillmask_responses_total\{status="200"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/^# TYPE fillmask_queued_inputs gauge$/m);
  });

  it('gives every answer a request id, keeping the one a load balancer sent', async () => {
    const first = await postJson(url, { inputs: 'a [MASK]' });
    const second = await postJson(url, { inputs: 'no mask' });
    expect(first.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(second.headers.get('x-request-id')).not.toBe(first.headers.get('x-request-id'));
    const kept = await postJson(url, { inputs: 'a [MASK]' }, { 'X-Request-Id': 'Root=1-abc-def' });
    expect(kept.headers.get('x-request-id')).toBe('Root=1-abc-def');
    const replaced = await postJson(url, { inputs: 'a [MASK]' }, { 'X-Request-Id': 'bad id with spaces' });
    expect(replaced.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
