import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, InvalidArgumentError, RemoteRequestError, UnsupportedModelError, type FillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createFillMaskServer, type FillMaskServer } from '@fillmask/server';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';
import { createRemoteBackend } from './create-remote-backend.js';
import { startFaultyService, type FaultyService } from './faulty-service.test-helper.js';

// Where the mask token of a remote model comes from: the backend option, the endpoint's GET /info
// (fillmask serve), the model's tokenizer_config.json on the Hub; else a typed error.

let local: FillMask;
let server: FillMaskServer;
let serverUrl: string;
let plainEndpoint: FaultyService;
let hub: HubServer;
let cacheDir: string;

beforeAll(async () => {
  local = await createFillMask({ model: fixtureModelPath('tiny-albert'), backend: createOnnxBackend() });
  server = createFillMaskServer({ fillMask: local, modelId: 'fillmask-test/tiny-albert', authTokens: 'server-token' });
  serverUrl = await server.listen({ port: 0 });
  plainEndpoint = await startFaultyService(local);
  cacheDir = await mkdtemp(join(tmpdir(), 'fillmask-remote-info-'));
  const noMask = join(cacheDir, 'no-mask-model');
  await mkdir(noMask);
  await writeFile(join(noMask, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 128, pad_token: '[PAD]' }));
  hub = await startHubServer({
    repos: { 'fillmask-test/tiny-albert': { folder: fixtureModelPath('tiny-albert') }, 'fillmask-test/no-mask': { folder: noMask } },
  });
});
afterAll(async () => {
  await server?.close();
  await plainEndpoint?.close();
  await hub?.close();
  await local?.dispose();
  await rm(cacheDir, { recursive: true, force: true });
});

describe('the mask token of a remote model', () => {
  it('is asked from fillmask serve (GET /info, with the token), with its length limit; the Hub is not asked', async () => {
    const requestsBefore = hub.requests.length;
    const fillMask = await createFillMask({
      model: 'fillmask-test/tiny-albert',
      backend: createRemoteBackend({ endpointUrl: `${serverUrl}/models/fillmask-test/tiny-albert`, accessToken: 'server-token' }),
      hubUrl: hub.url,
    });
    expect([fillMask.maskToken, fillMask.maxLength]).toEqual(['[MASK]', 512]);
    expect(hub.requests.length).toBe(requestsBefore);
    expect(await fillMask.fill('Paris is the [MASK] of France.')).toEqual(await local.fill('Paris is the [MASK] of France.'));
  });

  it('fails at creation when the endpoint refuses the token', async () => {
    const error = await createFillMask({
      model: 'm',
      backend: createRemoteBackend({ endpointUrl: serverUrl, accessToken: 'wrong' }),
    }).catch((reason: unknown) => reason);
    expect(RemoteRequestError.isInstance(error)).toBe(true);
    expect((error as RemoteRequestError).status).toBe(401);
    expect((error as Error).message).toBe(
      `The service at ${serverUrl}/info answered HTTP 401: Missing or invalid access token: send Authorization: Bearer <token>.`,
    );
  });

  it('is read from tokenizer_config.json on the Hub when the endpoint has no /info', async () => {
    plainEndpoint.script({ kind: 'status', status: 404, body: { error: 'Not Found' } }, { kind: 'fill' });
    const fillMask = await createFillMask({
      model: 'fillmask-test/tiny-albert',
      backend: createRemoteBackend({ endpointUrl: plainEndpoint.url, hubUrl: hub.url }),
      cacheDir,
    });
    expect([fillMask.maskToken, fillMask.maxLength]).toEqual(['[MASK]', 512]);
    expect(plainEndpoint.calls.at(-1)).toMatchObject({ method: 'GET', path: '/info' });
    expect(hub.requests.some((request) => request.path === '/fillmask-test/tiny-albert/resolve/main/tokenizer_config.json')).toBe(true);
    expect(await fillMask.fill('I love my [MASK].', { topK: 2 })).toEqual(await local.fill('I love my [MASK].', { topK: 2 }));
  });

  it('is a typed error naming what was tried when neither has it', async () => {
    plainEndpoint.script({ kind: 'status', status: 405, body: { error: 'Method Not Allowed' } });
    const error = await createFillMask({
      model: 'fillmask-test/elsewhere',
      backend: createRemoteBackend({ endpointUrl: plainEndpoint.url, hubUrl: hub.url }),
      cacheDir,
    }).catch((reason: unknown) => reason);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(
      /^Model fillmask-test\/elsewhere cannot be used for fill-mask: its mask token is unknown: the endpoint does not answer GET \/info, and reading tokenizer_config.json from the Hub failed \(.*fillmask-test\/elsewhere.*\)\. Pass \{ maskToken \} to createRemoteBackend\.$/,
    );
  });

  it('is a typed error when the tokenizer_config.json on the Hub names no mask token', async () => {
    const error = await createFillMask({
      model: 'fillmask-test/no-mask',
      backend: createRemoteBackend({ hubUrl: hub.url }),
      cacheDir: join(cacheDir, 'hub-cache'),
    }).catch((reason: unknown) => reason);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toBe(
      "Model fillmask-test/no-mask cannot be used for fill-mask: its mask token is unknown: the model's tokenizer_config.json on the Hub defines no mask_token. Pass { maskToken } to createRemoteBackend.",
    );
  });

  it('is taken from the maskToken option without any request', async () => {
    const callsBefore = plainEndpoint.calls.length;
    const fillMask = await createFillMask({
      model: 'anything',
      backend: createRemoteBackend({ endpointUrl: plainEndpoint.url, maskToken: '[MASK]' }),
    });
    expect([fillMask.maskToken, fillMask.maxLength]).toEqual(['[MASK]', Number.POSITIVE_INFINITY]);
    expect(plainEndpoint.calls.length).toBe(callsBefore);
  });

  it('a closed port fails the creation with a network RemoteRequestError, after the configured retries', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await createFillMask({
      model: 'm',
      backend: createRemoteBackend({ endpointUrl: `http://127.0.0.1:${port}`, maxRetries: 1, retryDelayMs: 10 }),
    }).catch((reason: unknown) => reason);
    expect(RemoteRequestError.isInstance(error)).toBe(true);
    expect([(error as RemoteRequestError).status, (error as RemoteRequestError).attempts]).toEqual([undefined, 2]);
    expect((error as Error).message).toMatch(
      new RegExp(`^Could not reach the service at http://127\\.0\\.0\\.1:${port}/info \\(2 attempts\\): fetch failed.*ECONNREFUSED`),
    );
  });
});

describe('createRemoteBackend options', () => {
  it.each([
    [{ endpointUrl: 'ftp://host' }, 'endpointUrl'],
    [{ endpointUrl: 'not a url' }, 'endpointUrl'],
    [{ endpointUrl: 'http://host', provider: 'hf-inference' as const }, 'provider'],
    [{ maxRetries: -1 }, 'maxRetries'],
    [{ retryDelayMs: 1.5 }, 'retryDelayMs'],
    [{ timeoutMs: 0 }, 'timeoutMs'],
    [{ maskToken: '' }, 'maskToken'],
  ])('refuses %j', (options, argument) => {
    let error: unknown;
    try {
      createRemoteBackend(options);
    } catch (caught) {
      error = caught;
    }
    expect(InvalidArgumentError.isInstance(error) && error.argument).toBe(argument);
  });

  it('refuses a provider that has no fill-mask at connect', async () => {
    const error = await createFillMask({ model: 'm', backend: createRemoteBackend({ provider: 'groq', maskToken: '[MASK]' }) }).catch(
      (reason: unknown) => reason,
    );
    expect(InvalidArgumentError.isInstance(error) && error.argument).toBe('provider');
    expect((error as Error).message).toMatch(/Task 'fill-mask' not supported for provider 'groq'/);
  });

  it('is what backend: "remote" resolves to, with backendOptions', async () => {
    const fillMask = await createFillMask({
      model: 'fillmask-test/tiny-albert',
      backend: 'remote',
      backendOptions: { endpointUrl: serverUrl, accessToken: 'server-token' },
    });
    expect([fillMask.backend, fillMask.maskToken]).toEqual(['remote', '[MASK]']);
  });
});
