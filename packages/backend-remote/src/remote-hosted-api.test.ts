import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createFillMask, RemoteRequestError, UnsupportedModelError, type FillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';
import { createRemoteBackend } from './create-remote-backend.js';
import { startHostedInferenceApi, type HostedInferenceApi } from './hosted-inference-api.test-helper.js';

// The default path, without endpointUrl: the Hugging Face Inference API, reached through a double
// of huggingface.co and router.huggingface.co (the hosted API cannot be reached from the tests), with
// the mask token read from the model's tokenizer_config.json on a local double of the Hub.

const modelId = 'fillmask-test/tiny-roberta';
const token = 'hf_hosted_token_5678';
let local: FillMask;
let hosted: HostedInferenceApi;
let hub: HubServer;
let cacheDir: string;

beforeAll(async () => {
  local = await createFillMask({ model: fixtureModelPath('tiny-roberta'), backend: createOnnxBackend(), onWarning: () => undefined });
  hosted = await startHostedInferenceApi({ [modelId]: local }, token);
  hub = await startHubServer({ repos: { [modelId]: { folder: fixtureModelPath('tiny-roberta') } }, token });
  cacheDir = await mkdtemp(join(tmpdir(), 'fillmask-remote-hub-'));
});
afterAll(async () => {
  await hosted?.close();
  await hub?.close();
  await local?.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

function hostedFillMask(model = modelId, options: Parameters<typeof createRemoteBackend>[0] = {}): Promise<FillMask> {
  return createFillMask({
    model,
    backend: createRemoteBackend({ fetch: hosted.fetch, retryDelayMs: 10, ...options }),
    hubUrl: hub.url,
    cacheDir,
    accessToken: token,
  });
}

describe('the hosted Inference API', () => {
  it('asks the Hub which provider serves the model, then calls the router with the token, as @huggingface/inference does', async () => {
    const fillMask = await hostedFillMask();
    // The mask token came from tokenizer_config.json on the Hub.
    expect([fillMask.maskToken, fillMask.maxLength, fillMask.backend, fillMask.model]).toEqual(['<mask>', 512, 'remote', modelId]);
    expect(hub.requests.some((request) => request.path === `/${modelId}/resolve/main/tokenizer_config.json`)).toBe(true);

    const text = 'Paris is the <mask> of France.';
    expect(await fillMask.fill(text, { topK: 3 })).toEqual(await local.fill(text, { topK: 3 }));
    const lookup = hosted.calls.find((call) => call.host === 'huggingface.co');
    expect(lookup).toMatchObject({
      method: 'GET',
      path: `/api/models/${modelId}?expand[]=inferenceProviderMapping`,
      authorization: `Bearer ${token}`,
    });
    const fill = hosted.calls.find((call) => call.host === 'router.huggingface.co')!;
    expect([fill.method, fill.path, fill.authorization]).toEqual(['POST', `/hf-inference/models/${modelId}`, `Bearer ${token}`]);
    expect(JSON.parse(fill.body)).toEqual({ inputs: text, parameters: { top_k: 3 } });
  });

  it('gives the results of the local backend: several masks, targets, batches', async () => {
    const fillMask = await hostedFillMask();
    const inputs = ['The <mask> sat on the <mask>.', 'I love my <mask>.', 'Paris is the <mask> of France.'];
    expect(await fillMask.fill(inputs[0], { topK: 2 })).toEqual(await local.fill(inputs[0], { topK: 2 }));
    expect(await fillMask.fill(inputs, { targets: [' cat', ' dog'] })).toEqual(await local.fill(inputs, { targets: [' cat', ' dog'] }));
  });

  it('types the router refusing the token, and the Hub not knowing the model', async () => {
    const refused = await hostedFillMask(modelId, { accessToken: 'hf_wrong_token', maskToken: '<mask>' });
    const error = await refused.fill('a <mask>').catch((reason: unknown) => reason);
    expect(RemoteRequestError.isInstance(error)).toBe(true);
    expect([(error as RemoteRequestError).status, (error as RemoteRequestError).isRetryable]).toEqual([401, false]);
    expect((error as RemoteRequestError).requestId).toMatch(/^Root=1-/);
    expect((error as Error).message).toBe(
      `The service at https://router.huggingface.co/hf-inference/models/${modelId} answered HTTP 401: Invalid username or password.`,
    );

    const unknown = await hostedFillMask('fillmask-test/not-served', { maskToken: '<mask>' });
    const lookupError = await unknown.fill('a <mask>').catch((reason: unknown) => reason);
    expect(RemoteRequestError.isInstance(lookupError)).toBe(true);
    expect((lookupError as RemoteRequestError).status).toBe(404);
    expect((lookupError as Error).message).toMatch(/^Looking up who serves fillmask-test\/not-served failed: .*Repository not found/);
  });

  it('without a mask token anywhere, says so with a typed error', async () => {
    const error = await hostedFillMask('fillmask-test/not-on-the-hub').catch((reason: unknown) => reason);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^Model fillmask-test\/not-on-the-hub cannot be used for fill-mask: its mask token is unknown: reading tokenizer_config.json from the Hub failed \(.+\)\. Pass \{ maskToken \} to createRemoteBackend\.$/,
    );
  });

  it('sends $HF_TOKEN to Hugging Face hosts only, never to another endpoint', async () => {
    vi.stubEnv('HF_TOKEN', token);
    try {
      const fromEnvironment = await createFillMask({
        model: modelId,
        backend: createRemoteBackend({ fetch: hosted.fetch, maskToken: '<mask>' }),
      });
      expect(await fromEnvironment.fill('a <mask>.')).toEqual(await local.fill('a <mask>.'));
      expect(hosted.calls.at(-1)!.authorization).toBe(`Bearer ${token}`);

      const seen: Array<string | null> = [];
      const elsewhere = await createFillMask({
        model: modelId,
        backend: createRemoteBackend({
          endpointUrl: 'http://127.0.0.1:9/',
          maskToken: '<mask>',
          maxRetries: 0,
          fetch: async (_input, init) => {
            seen.push(new Headers(init?.headers).get('authorization'));
            return new Response(JSON.stringify([{ score: 1, token: 1, token_str: 'x', sequence: 'a x.' }]), { status: 200 });
          },
        }),
        accessToken: token,
      });
      await elsewhere.fill('a <mask>.');
      expect(seen).toEqual([null]);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
