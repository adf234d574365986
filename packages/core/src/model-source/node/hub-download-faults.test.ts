import { createHash } from 'node:crypto';
import { readdir, readFile, realpath, truncate, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubServer, HubServerOptions } from '@fillmask/test-hub-server';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { InvalidModelFileError } from '../../errors/invalid-model-file-error.js';
import type { ModelSourceOptions, ModelSourceWarning } from '../model-source-options.js';
import { openHubModel } from './hub-model-files.js';
import { bertFolder, bertId, useHubSandbox } from './hub-sandbox.test-helper.js';
import { rejection } from './rejection.test-helper.js';

const sandbox = useHubSandbox();
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20 };

async function setup(serverOptions: Partial<HubServerOptions> = {}) {
  const hub = await sandbox.startHub(serverOptions);
  const root = await sandbox.tempDir();
  const cacheDir = path.join(root, 'hub');
  const env = { HF_HUB_CACHE: cacheDir, HF_HOME: path.join(root, 'hf-home') };
  const warnings: ModelSourceWarning[] = [];
  const open = (options: ModelSourceOptions = {}, extraEnv: NodeJS.ProcessEnv = {}) =>
    openHubModel(
      bertId,
      { hubUrl: hub.url, retry: fastRetry, onSourceWarning: (warning) => warnings.push(warning), ...options },
      { ...env, ...extraEnv },
    );
  const repoFolder = path.join(cacheDir, 'models--fillmask-test--tiny-bert-uncased');
  return { hub, open, warnings, cacheDir, repoFolder, blobs: path.join(repoFolder, 'blobs') };
}

function source(file: string): Promise<Buffer> {
  return readFile(path.join(bertFolder, file));
}

async function same(bytes: Uint8Array, file: string): Promise<boolean> {
  return Buffer.from(bytes).equals(await source(file));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

function bodyRequests(hub: HubServer, file: string): number {
  return hub.requests.filter(
    (request) => request.method === 'GET' && request.status !== 302 && (request.server === 'cdn' || request.path.endsWith(`/${file}`)),
  ).length;
}

async function blobNames(blobs: string): Promise<string[]> {
  return (await readdir(blobs).catch(() => [])).sort();
}

describe('downloads are verified against what the Hub announced', () => {
  it('a regular file corrupted in transit (right length) is caught by its git blob SHA-1, retried, and cached right', async () => {
    const { hub, open, blobs } = await setup({ faults: { corruptByteAt: 1000, onlyFile: 'tokenizer.json', times: 1 } });
    expect(await same(await open().read('tokenizer.json'), 'tokenizer.json')).toBe(true);
    expect(bodyRequests(hub, 'tokenizer.json')).toBe(2);
    expect(await blobNames(blobs)).toEqual([gitBlobSha1(await source('tokenizer.json'))]);
  });

  it('a regular file corrupted on every try is never cached; a later healthy run gives the right file', async () => {
    const { hub, open, blobs, repoFolder } = await setup({ faults: { corruptByteAt: 1000, onlyFile: 'tokenizer.json' } });
    const error = await rejection(open().read('tokenizer.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/git blob SHA-1 is [0-9a-f]{40}, the Hub announced [0-9a-f]{40} \(its ETag\)/);
    expect((error as Error).message).toContain('Nothing was cached');
    expect(bodyRequests(hub, 'tokenizer.json')).toBe(2);
    expect(await blobNames(blobs)).toEqual([]);
    expect(await readdir(path.join(repoFolder, 'snapshots')).catch(() => [])).toEqual([]);
    hub.setFaults({});
    expect(await same(await open().read('tokenizer.json'), 'tokenizer.json')).toBe(true);
  });

  it('a regular file served short with a matching Content-Length is caught, retried, and cached whole', async () => {
    const { hub, open } = await setup({ faults: { truncateBodyTo: 5000, onlyFile: 'tokenizer.json', times: 1 } });
    expect(await same(await open().read('tokenizer.json'), 'tokenizer.json')).toBe(true);
    expect(bodyRequests(hub, 'tokenizer.json')).toBe(2);
    hub.setFaults({ truncateBodyTo: 5000, onlyFile: 'tokenizer.json' });
    const error = await rejection(open({ forceDownload: true }).read('tokenizer.json'));
    expect((error as Error).message).toMatch(/incomplete or corrupt/);
    // The good copy stays.
    expect(await same(await open().read('tokenizer.json'), 'tokenizer.json')).toBe(true);
  });

  it('an LFS file corrupted in transit is caught by its SHA-256 and retried', async () => {
    const { hub, open, blobs } = await setup({ faults: { corruptByteAt: 123_456, onlyFile: 'onnx/model.onnx', times: 1 } });
    expect(sha256(await open().read('onnx/model.onnx'))).toBe(sha256(await source('onnx/model.onnx')));
    expect(hub.requests.filter((request) => request.server === 'cdn')).toHaveLength(2);
    expect(await blobNames(blobs)).toEqual([sha256(await source('onnx/model.onnx'))]);
  });

  it('an ETag that does not match the content is never cached under it', async () => {
    const { open, blobs } = await setup({ faults: { etag: 'f'.repeat(40), onlyFile: 'config.json' } });
    const error = await rejection(open().read('config.json'));
    expect((error as Error).message).toMatch(/the Hub announced f{40}/);
    expect(await blobNames(blobs)).toEqual([]);
  });
});

describe('retries, Retry-After and the cache fallback', () => {
  it('retries 503 and 429 on metadata and downloads, then succeeds', async () => {
    const { hub, open } = await setup({ faults: { status: 503, retryAfter: '0', times: 2 } });
    const model = open();
    expect(await same(await model.read('config.json'), 'config.json')).toBe(true);
    expect(hub.requests.slice(0, 3).map((request) => `${request.method} ${request.status}`)).toEqual(['HEAD 503', 'HEAD 503', 'HEAD 200']);
    hub.setFaults({ status: 429, statusMethod: 'GET', times: 1 });
    expect(await same(await model.read('tokenizer.json'), 'tokenizer.json')).toBe(true);
    expect(hub.requests.slice(-2).map((request) => `${request.method} ${request.status}`)).toEqual(['GET 429', 'GET 200']);
  });

  it('waits what Retry-After asks, within maxDelayMs', async () => {
    const { open } = await setup({ faults: { status: 429, retryAfter: '1', times: 1 } });
    const started = Date.now();
    await open({ retry: { baseDelayMs: 1, maxDelayMs: 5000 } }).read('config.json');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('gives up after maxAttempts with the last status', async () => {
    const { hub, open } = await setup({ faults: { status: 500 } });
    const error = await rejection(open({ retry: { ...fastRetry, maxAttempts: 3 } }).read('config.json'));
    expect(error).toMatchObject({ status: 500 });
    expect(hub.requests).toHaveLength(3);
  });

  for (const status of [403, 429, 500, 503]) {
    it(`uses the cached revision with a warning when its metadata request fails with ${status}, with one request`, async () => {
      const { hub, open, warnings } = await setup();
      await open().read('config.json');
      hub.setFaults({ status, retryAfter: '30' });
      const before = hub.requests.length;
      expect(await same(await open().read('config.json'), 'config.json')).toBe(true);
      expect(hub.requests.length - before).toBe(1);
      expect(warnings.map((warning) => warning.code)).toEqual(['using-cache']);
      expect(warnings[0].message).toContain(`${status}`);
    });
  }

  it('a missing revision is not hidden by the cache', async () => {
    const { hub, open } = await setup();
    await open().read('config.json');
    hub.setFaults({ status: 404 });
    // A 404 without RevisionNotFound (say, a proxy) falls back; the Hub's RevisionNotFound would not.
    expect(await same(await open().read('config.json'), 'config.json')).toBe(true);
    const error = await rejection(open({ revision: 'no-such-branch' }).read('config.json'));
    expect(error).toMatchObject({ status: 404 });
  });
});

describe('timeouts', () => {
  it('a stalled body is given up after downloadTimeout and resumed from where it stalled', async () => {
    const { hub, open } = await setup({ faults: { stallBodyAfterBytes: 300_000, onlyFile: 'onnx/model.onnx', times: 1 } });
    const started = Date.now();
    const bytes = await open({ downloadTimeout: 0.3 }).read('onnx/model.onnx');
    expect(sha256(bytes)).toBe(sha256(await source('onnx/model.onnx')));
    expect(Date.now() - started).toBeLessThan(5000);
    expect(hub.requests.at(-1)).toMatchObject({ server: 'cdn', range: 'bytes=300000-', status: 206 });
  });

  it('a hung metadata request costs etagTimeout, then the cache is used', async () => {
    const { hub, open, warnings } = await setup();
    await open().read('config.json');
    hub.setFaults({ delayMs: 30_000 });
    const started = Date.now();
    expect(await same(await open({ etagTimeout: 0.3 }).read('config.json'), 'config.json')).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
    expect(warnings[0].message).toMatch(/did not answer within 0.3 s .*HF_HUB_ETAG_TIMEOUT/);
  });

  it('reads HF_HUB_DOWNLOAD_TIMEOUT', async () => {
    const { open } = await setup({ faults: { stallBodyAfterBytes: 1000, onlyFile: 'tokenizer.json' } });
    const started = Date.now();
    const error = await rejection(
      open({ retry: { maxAttempts: 2, ...fastRetry } }, { HF_HUB_DOWNLOAD_TIMEOUT: '0.2' }).read('tokenizer.json'),
    );
    expect((error as Error).message).toMatch(/no data for 0.2 s \(HF_HUB_DOWNLOAD_TIMEOUT/);
    expect((error as Error).message).toMatch(/Gave up after 2 attempts; the bytes received are kept in .*\.incomplete/);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('resume', () => {
  it('a connection cut again and again resumes with Range until the file is whole', async () => {
    const { hub, open } = await setup({ faults: { cutBodyAfterBytes: 1_500_000, onlyFile: 'onnx/model.onnx' } });
    const bytes = await open().read('onnx/model.onnx');
    expect(sha256(bytes)).toBe(sha256(await source('onnx/model.onnx')));
    // Each try from where the last one stopped (a cut may lose the bytes in flight, so not exactly 1.5 MB further).
    const ranges = hub.requests.filter((request) => request.server === 'cdn').map((request) => request.range);
    expect(ranges[0]).toBeUndefined();
    expect(ranges.length).toBeGreaterThanOrEqual(3);
    const starts = ranges.slice(1).map((range) => Number(/^bytes=(\d+)-$/.exec(range ?? '')?.[1]));
    for (const [index, start] of starts.entries()) expect(start).toBeGreaterThan(index === 0 ? 0 : starts[index - 1]);
  });

  it("resumes huggingface_hub's <etag>.incomplete, and starts over when its bytes were wrong", async () => {
    const { hub, open, blobs } = await setup();
    const weights = await source('onnx/model.onnx');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(blobs, { recursive: true });
    await writeFile(path.join(blobs, `${sha256(weights)}.incomplete`), weights.subarray(0, 2_000_000));
    expect(sha256(await open().read('onnx/model.onnx'))).toBe(sha256(weights));
    expect(hub.requests.filter((request) => request.server === 'cdn').map((request) => request.range)).toEqual(['bytes=2000000-']);

    const config = await source('config.json');
    const wrong = Buffer.from(config.subarray(0, 100));
    wrong[3] ^= 1;
    await writeFile(path.join(blobs, `${gitBlobSha1(config)}.incomplete`), wrong);
    expect(await same(await open().read('config.json'), 'config.json')).toBe(true);
    expect(await blobNames(blobs)).toEqual([gitBlobSha1(config), sha256(weights)].sort());
  });
});

describe('damaged cache', () => {
  it('a regular blob damaged on disk is downloaded again online, and named with the way out offline', async () => {
    const { open, blobs, warnings } = await setup();
    await open().read('tokenizer.json');
    const blob = path.join(blobs, gitBlobSha1(await source('tokenizer.json')));
    const damaged = Buffer.from(await readFile(blob));
    damaged[100] ^= 0x01;
    await writeFile(blob, damaged);

    const offline = await rejection(open({ offline: true }).read('tokenizer.json'));
    expect(InvalidModelFileError.isInstance(offline)).toBe(true);
    expect((offline as Error).message).toContain(await realpath(blob));
    expect((offline as Error).message).toMatch(/fillmask cache verify --fix/);
    expect((offline as Error).message).toMatch(/force-download/);

    expect(await same(await open().read('tokenizer.json'), 'tokenizer.json')).toBe(true);
    expect(warnings.map((warning) => warning.code)).toEqual(['damaged-cache']);
    expect(await same(await open({ offline: true }).read('tokenizer.json'), 'tokenizer.json')).toBe(true);
  });

  it('an LFS blob of the wrong size is caught by the size the Hub announces, and downloaded again', async () => {
    const { open, blobs, warnings } = await setup();
    await open().read('onnx/model.onnx');
    const weights = await source('onnx/model.onnx');
    await truncate(path.join(blobs, sha256(weights)), 1000);
    expect(sha256(await open().read('onnx/model.onnx'))).toBe(sha256(weights));
    expect(warnings[0].message).toMatch(/has 1000 bytes where the Hub announces/);
  });

  it("any cached file of the wrong size is caught by the sizes in the Hub's file list (blobs=true)", async () => {
    const { hub, open, blobs, warnings } = await setup();
    const first = open();
    await first.list!();
    await first.read('onnx/model.onnx');
    const weights = await source('onnx/model.onnx');
    await truncate(path.join(blobs, sha256(weights)), 1000);
    const model = open();
    await model.list!();
    expect(hub.requests.at(-1)?.path).toMatch(/\/revision\/main\?blobs=true$/);
    expect(sha256(await model.read('onnx/model.onnx'))).toBe(sha256(weights));
    expect(warnings[0].message).toMatch(/has 1000 bytes where the Hub announces/);
  });

  it('verify() hashes an LFS blob (flipped bits, same size): downloads it again online, says what to do offline', async () => {
    const { open, blobs } = await setup();
    await open().read('onnx/model.onnx');
    const weights = await source('onnx/model.onnx');
    const blob = path.join(blobs, sha256(weights));
    const damaged = Buffer.from(weights);
    damaged[5000] ^= 0x80;
    await writeFile(blob, damaged);
    const offline = open({ offline: true });
    expect(InvalidModelFileError.isInstance(await rejection(offline.verify!('onnx/model.onnx')))).toBe(true);
    const online = open();
    expect(await online.verify!('onnx/model.onnx')).toBe(true);
    expect(sha256(await online.read('onnx/model.onnx'))).toBe(sha256(weights));
    expect(await online.verify!('onnx/model.onnx')).toBe(false);
  });

  it('forceDownload downloads a cached file again', async () => {
    const { hub, open } = await setup();
    await open().read('config.json');
    const before = bodyRequests(hub, 'config.json');
    const forced = open({ forceDownload: true });
    expect(await same(await forced.read('config.json'), 'config.json')).toBe(true);
    expect(bodyRequests(hub, 'config.json')).toBe(before + 1);
    // Once per file and opened model.
    expect(await same(await forced.read('config.json'), 'config.json')).toBe(true);
    expect(bodyRequests(hub, 'config.json')).toBe(before + 1);
  });
});
