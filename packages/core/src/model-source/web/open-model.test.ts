import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';
import type { DownloadProgress } from '../download-progress.js';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import { openModel } from './open-model.js';

/**
 * The browser's model source, run in Node against the test Hub: URLs, tokens, errors and progress.
 * Node has no Cache API, so every read downloads here; the caching is tested in Chromium
 * (packages/backend-web/browser-tests/model-cache.test.ts).
 */
let hub: HubServer;
const folder = fixtureModelPath('tiny-bert-uncased');
const weights = readFileSync(path.join(folder, 'onnx/model_quantized.onnx'));

beforeAll(async () => {
  hub = await startHubServer({
    repos: { 'org/bert': { folder, revisions: { 'refs/pr/1': fixtureModelPath('tiny-albert') } }, 'org/gated': { folder, gated: true } },
    token: 'hf_web_secret',
  });
});

afterAll(() => hub?.close());
afterEach(() => hub.setFaults({}));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  );
}

describe('openModel outside Node', () => {
  it('reads a Hub model from <hubUrl>/<id>/resolve/<revision>/, following the CDN redirect, with progress', async () => {
    const progress: DownloadProgress[] = [];
    const files = await openModel('org/bert', { hubUrl: hub.url, onProgress: (event) => progress.push(event) });
    expect(files.location).toBe('hub:org/bert@main');
    const bytes = await files.read('onnx/model_quantized.onnx');
    expect(Buffer.from(bytes).equals(weights)).toBe(true);
    expect(progress[0]).toEqual({ file: 'onnx/model_quantized.onnx', status: 'download', loadedBytes: 0, totalBytes: weights.length });
    expect(progress.at(-1)).toEqual({
      file: 'onnx/model_quantized.onnx',
      status: 'done',
      loadedBytes: weights.length,
      totalBytes: weights.length,
    });
    expect(hub.requests.filter((request) => request.server === 'cdn').map((request) => request.method)).toEqual(['GET']);
  });

  it('escapes the revision as one path segment', async () => {
    const files = await openModel('org/bert', { hubUrl: hub.url, revision: 'refs/pr/1' });
    expect(JSON.parse(new TextDecoder().decode(await files.read('config.json'))).model_type).toBe('albert');
    expect(hub.requests.at(-1)?.path).toBe('/org/bert/resolve/refs%2Fpr%2F1/config.json');
  });

  it('reads a model from a URL base, and sends the access token to the Hub origin only', async () => {
    const before = hub.requests.length;
    const files = await openModel(`${hub.url}/org/gated/resolve/main`, { hubUrl: hub.url, accessToken: 'hf_web_secret' });
    expect(files.location).toBe(`${hub.url}/org/gated/resolve/main/`);
    expect((await files.read('onnx/model_quantized.onnx')).byteLength).toBe(weights.length);
    const requests = hub.requests.slice(before);
    expect(requests.map((request) => [request.server, request.authorization])).toEqual([
      ['hub', true],
      ['cdn', false],
    ]);
    // Another origin than the Hub's never sees the token, even for the same files.
    const elsewhere = await openModel(`${hub.cdnUrl.replace('127.0.0.1', 'localhost')}/`, {
      hubUrl: hub.url,
      accessToken: 'hf_web_secret',
    });
    await rejection(elsewhere.read('config.json'));
    expect(hub.requests.at(-1)).toMatchObject({ server: 'cdn', authorization: false });
  });

  it('answers exists() with a HEAD: true, false for a missing file, an error for a refused one', async () => {
    const files = await openModel('org/bert', { hubUrl: hub.url });
    expect(await files.exists('tokenizer_config.json')).toBe(true);
    expect(await files.exists('no_such_file.json')).toBe(false);
    expect(hub.requests.at(-1)).toMatchObject({ method: 'HEAD' });
    const gated = await openModel('org/gated', { hubUrl: hub.url });
    expect(HubRequestError.isInstance(await rejection(gated.exists('config.json')))).toBe(true);
  });

  it('maps the Hub errors to typed errors that never show the token', async () => {
    const missingFile = await rejection((await openModel('org/bert', { hubUrl: hub.url })).read('nope.json'));
    expect(ModelFileNotFoundError.isInstance(missingFile)).toBe(true);
    expect(missingFile).toMatchObject({ model: 'org/bert', file: 'nope.json' });

    const gated = (await rejection((await openModel('org/gated', { hubUrl: hub.url })).read('config.json'))) as HubRequestError;
    expect(HubRequestError.isInstance(gated)).toBe(true);
    expect(gated).toMatchObject({ status: 401, errorCode: 'GatedRepo' });
    expect(gated.message).toContain('org/gated (revision main) is gated or private');

    const refused = (await rejection(
      (await openModel('org/gated', { hubUrl: hub.url, accessToken: 'hf_wrong' })).read('config.json'),
    )) as HubRequestError;
    expect(refused.message).toContain('The Hub refused the access token (HTTP 401');
    expect(JSON.stringify({ ...refused, message: refused.message })).not.toContain('hf_wrong');

    const revision = (await rejection(
      (await openModel('org/bert', { hubUrl: hub.url, revision: 'v9' })).read('config.json'),
    )) as HubRequestError;
    expect(revision).toMatchObject({ status: 404, errorCode: 'RevisionNotFound' });
    expect(revision.message).toContain('has no revision "v9"');

    const down = (await rejection((await openModel('org/bert', { hubUrl: 'http://127.0.0.1:9' })).read('config.json'))) as HubRequestError;
    expect(HubRequestError.isInstance(down)).toBe(true);
    expect(down.status).toBeUndefined();
    expect(down.message).toContain('Could not fetch http://127.0.0.1:9/org/bert/resolve/main/config.json');
  });

  it('rejects a body cut short instead of returning part of a file', async () => {
    hub.setFaults({ cutBodyAfterBytes: 10_000, onlyFile: 'onnx/model_quantized.onnx' });
    const error = (await rejection(
      (await openModel('org/bert', { hubUrl: hub.url })).read('onnx/model_quantized.onnx'),
    )) as HubRequestError;
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(/onnx\/model_quantized\.onnx from http:\/\/127\.0\.0\.1:\d+\/cdn\/[0-9a-f]+ (broke off|ended) after/);
    expect(error.message).not.toContain('X-Amz-Signature');
  });

  it('with offline: true, makes no request and reports what is missing', async () => {
    const before = hub.requests.length;
    const files = await openModel('org/bert', { hubUrl: hub.url, offline: true });
    const error = await rejection(files.read('config.json'));
    expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('not in the browser cache and offline mode is on');
    expect(await files.exists('config.json')).toBe(false);
    expect(hub.requests.length).toBe(before);
  });

  it('refuses what is neither a URL nor a Hub id, a relative URL without a page, and paths outside the model', async () => {
    for (const model of ['', 'a/b/c', 'bad--id', 'ftp://example.com/model/', './relative/model']) {
      expect(InvalidArgumentError.isInstance(await rejection(openModel(model))), model).toBe(true);
    }
    expect(InvalidArgumentError.isInstance(await rejection(openModel('org/bert', { hubUrl: 'not a url' })))).toBe(true);
    const files = await openModel('org/bert', { hubUrl: hub.url });
    for (const file of ['../secret', '/etc/passwd', 'onnx//model.onnx', 'a\\\\b']) {
      expect(InvalidArgumentError.isInstance(await rejection(files.read(file))), file).toBe(true);
    }
  });
});

describe('openModel outside Node: downloads checked before they are kept', () => {
  const tokenizer = readFileSync(path.join(folder, 'tokenizer.json'));
  const gets = (file: string) => hub.requests.filter((request) => request.method === 'GET' && request.path.endsWith(file)).length;

  it('a regular file corrupted in transit (right length) is caught by its ETag, the git blob SHA-1, and downloaded again', async () => {
    hub.setFaults({ corruptByteAt: 500, onlyFile: 'tokenizer.json', times: 1 });
    const before = gets('/tokenizer.json');
    const bytes = await (await openModel('org/bert', { hubUrl: hub.url })).read('tokenizer.json');
    expect(Buffer.from(bytes).equals(tokenizer)).toBe(true);
    expect(gets('/tokenizer.json') - before).toBe(2);
  });

  it('a regular file served short with a matching Content-Length, every time, is an error', async () => {
    hub.setFaults({ truncateBodyTo: 1000, onlyFile: 'tokenizer.json' });
    const error = await rejection((await openModel('org/bert', { hubUrl: hub.url })).read('tokenizer.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/tokenizer\.json of hub:org\/bert@main is incomplete or corrupt: its git blob SHA-1 is/);
  });

  it("an LFS file corrupted at the CDN is caught by the SHA-256 of the Hub's file list (blobs=true)", async () => {
    hub.setFaults({ corruptByteAt: 1000, onlyFile: 'onnx/model_quantized.onnx' });
    const files = await openModel('org/bert', { hubUrl: hub.url });
    expect(await files.list!()).toContain('onnx/model_quantized.onnx');
    expect(hub.requests.at(-1)?.path).toMatch(/\/api\/models\/org\/bert\/revision\/main\?blobs=true$/);
    const error = await rejection(files.read('onnx/model_quantized.onnx'));
    expect((error as Error).message).toMatch(/its SHA-256 is [0-9a-f]{64}, the Hub announced [0-9a-f]{64}/);
    hub.setFaults({ truncateBodyTo: 1000, onlyFile: 'onnx/model_quantized.onnx' });
    expect(((await rejection(files.read('onnx/model_quantized.onnx'))) as Error).message).toMatch(
      /received 1000 bytes where the Hub announced/,
    );
    hub.setFaults({});
    expect(Buffer.from(await files.read('onnx/model_quantized.onnx')).equals(weights)).toBe(true);
  });
});

describe('openModel outside Node: requests tried again', () => {
  const gets = () => hub.requests.filter((request) => request.method === 'GET' && request.path.endsWith('/config.json')).length;

  it('503 twice with Retry-After: 0, then the file', async () => {
    hub.setFaults({ status: 503, retryAfter: '0', times: 2, onlyFile: 'config.json' });
    const before = gets();
    const bytes = await (await openModel('org/bert', { hubUrl: hub.url })).read('config.json');
    expect(JSON.parse(new TextDecoder().decode(bytes)).model_type).toBe('bert');
    expect(gets() - before).toBe(3);
  });

  it('a status that does not pass: maxAttempts requests, then the typed error', async () => {
    hub.setFaults({ status: 500, onlyFile: 'config.json' });
    const before = gets();
    const files = await openModel('org/bert', { hubUrl: hub.url, retry: { maxAttempts: 2, baseDelayMs: 0 } });
    const error = await rejection(files.read('config.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect(gets() - before).toBe(2);
  });

  it('no answer within downloadTimeout: tried again, then an error that says so, in seconds not minutes', async () => {
    hub.setFaults({ delayMs: 1500 });
    const started = Date.now();
    const files = await openModel('org/bert', { hubUrl: hub.url, downloadTimeout: 0.5, retry: { maxAttempts: 2, baseDelayMs: 0 } });
    const error = await rejection(files.read('config.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/no answer within 0\.5 s/);
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
