import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';
import { runCli } from './run-cli.js';

// The faults of a Hub that misbehaves, through the fillmask command (in this process): each run ends
// with the right answers or a clear error, and a later healthy run gives the right answers from the
// cache it left.

const bert = fixtureModelPath('tiny-bert-uncased');
const modelId = 'fillmask-test/tiny-bert';
const input = 'Paris is the [MASK] of France.';
let hub: HubServer;
let root: string;
let cacheDir: string;
let expected: string;
const saved = { ...process.env };

async function fill(...flags: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const warn = console.warn;
  // The Hub source's warnings go to console.warn (stderr in a real run): collected with stderr here.
  console.warn = (...parts: unknown[]) => (err += `${parts.join(' ')}\n`);
  try {
    const code = await runCli(['--json', '-k', '3', ...flags, input], { stdin: new PassThrough(), stdout, stderr });
    return { code, stdout: out, stderr: err };
  } finally {
    console.warn = warn;
  }
}

function blobPath(content: Buffer, lfs: boolean): string {
  const name = lfs
    ? createHash('sha256').update(content).digest('hex')
    : createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
  return join(cacheDir, 'models--fillmask-test--tiny-bert', 'blobs', name);
}

beforeAll(async () => {
  expected = (await fill('-m', bert)).stdout;
  expect(JSON.parse(expected)).toHaveLength(3);
});

beforeEach(async () => {
  hub = await startHubServer({ repos: { [modelId]: { folder: bert } } });
  root = await mkdtemp(join(tmpdir(), 'fillmask-cli-hub-faults-'));
  cacheDir = join(root, 'hub');
  Object.assign(process.env, { HF_ENDPOINT: hub.url, HF_HUB_CACHE: cacheDir, HF_HOME: join(root, 'hf-home') });
  delete process.env.HF_HUB_OFFLINE;
});

afterEach(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

afterAll(() => {
  process.env = saved;
});

describe('fillmask against a Hub that misbehaves', () => {
  it('a regular file corrupted with the right length, on every try: exit 1 saying so, nothing cached; then healthy: right answers', async () => {
    hub.setFaults({ corruptByteAt: 1000, onlyFile: 'tokenizer.json' });
    const failed = await fill('-m', modelId);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(
      /tokenizer\.json of fillmask-test\/tiny-bert \(revision main\) is incomplete or corrupt: its git blob SHA-1 is/,
    );
    hub.setFaults({});
    expect((await fill('-m', modelId)).stdout).toBe(expected);
    expect((await fill('-m', modelId, '--offline')).stdout).toBe(expected);
  });

  it('a regular file served short once, a stall, a cut connection: right answers in the same run', async () => {
    hub.setFaults({ truncateBodyTo: 5000, onlyFile: 'tokenizer.json', times: 1 });
    expect((await fill('-m', modelId)).stdout).toBe(expected);
    await rm(cacheDir, { recursive: true });
    hub.setFaults({ cutBodyAfterBytes: 2_000_000, onlyFile: 'onnx/model.onnx' });
    const cut = await fill('-m', modelId);
    expect(cut.code, cut.stderr).toBe(0);
    expect(cut.stdout).toBe(expected);
  });

  it('503 twice with Retry-After: retried, right answers', async () => {
    hub.setFaults({ status: 503, retryAfter: '0', times: 2 });
    const run = await fill('-m', modelId);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(expected);
  });

  for (const status of [403, 429, 500]) {
    it(`a cached model with the Hub answering ${status}: the cache, with a warning, exit 0`, async () => {
      await fill('-m', modelId);
      hub.setFaults({ status, retryAfter: '60' });
      const run = await fill('-m', modelId);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toBe(expected);
      expect(run.stderr).toMatch(/using the cached copy/);
    });
  }

  it('a cached blob damaged on disk (shorter, or the same size and garbled): downloaded again online; offline, exit 1 naming it and the way out; --force-download', async () => {
    await fill('-m', modelId);
    const tokenizer = await readFile(join(bert, 'tokenizer.json'));
    const damaged = Buffer.from(tokenizer);
    damaged[200] ^= 0x04;
    await writeFile(blobPath(tokenizer, false), damaged);
    const offline = await fill('-m', modelId, '--offline');
    expect(offline.code).toBe(1);
    expect(offline.stderr).toContain(blobPath(tokenizer, false));
    expect(offline.stderr).toMatch(/fillmask cache verify --fix/);
    const online = await fill('-m', modelId);
    expect(online.stdout).toBe(expected);
    expect(online.stderr).toMatch(/is damaged .*downloading it again/);

    const weights = await readFile(join(bert, 'onnx/model.onnx'));
    // The same size, so only its hash tells: found when the graph fails to load, and downloaded again.
    const garbled = Buffer.from(weights);
    garbled.fill(0xff, 0, 64);
    await writeFile(blobPath(weights, true), garbled);
    const offlineGarbled = await fill('-m', modelId, '--offline');
    expect(offlineGarbled.code).toBe(1);
    expect(offlineGarbled.stderr).toContain(blobPath(weights, true));
    expect(offlineGarbled.stderr).toMatch(/fillmask cache verify --fix/);
    const onlineGarbled = await fill('-m', modelId);
    expect(onlineGarbled.code, onlineGarbled.stderr).toBe(0);
    expect(onlineGarbled.stdout).toBe(expected);
    expect((await readFile(blobPath(weights, true))).equals(weights)).toBe(true);

    await truncate(blobPath(weights, true), 1000);
    expect((await fill('-m', modelId)).stdout).toBe(expected);
    const before = hub.requests.filter((request) => request.server === 'cdn').length;
    expect((await fill('-m', modelId, '--force-download')).stdout).toBe(expected);
    expect(hub.requests.filter((request) => request.server === 'cdn').length).toBe(before + 1);
  });
});
