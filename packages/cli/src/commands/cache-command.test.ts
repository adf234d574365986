import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openModel } from '@fillmask/core';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';
import { runCli } from '../run-cli.js';

const bert = fixtureModelPath('tiny-bert-uncased');
const modelId = 'fillmask-test/tiny-bert';
const repoFolderName = 'models--fillmask-test--tiny-bert';

let hub: HubServer;
let root: string;
let cacheDir: string;

beforeEach(async () => {
  hub = await startHubServer({ repos: { [modelId]: { folder: bert, revisions: { v2: bert } } } });
  root = await mkdtemp(join(tmpdir(), 'fillmask-cache-cmd-'));
  cacheDir = join(root, 'hub');
});

afterEach(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

async function cache(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const previous = process.env.HF_ENDPOINT;
  process.env.HF_ENDPOINT = hub.url;
  try {
    const code = await runCli(['cache', ...args, '--cache-dir', cacheDir], { stdin: new PassThrough(), stdout, stderr });
    return { code, stdout: out, stderr: err };
  } finally {
    if (previous === undefined) delete process.env.HF_ENDPOINT;
    else process.env.HF_ENDPOINT = previous;
  }
}

async function download(files: string[], revision = 'main'): Promise<void> {
  const model = await openModel(modelId, { hubUrl: hub.url, cacheDir, revision });
  for (const file of files) await model.read(file);
}

function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

describe('fillmask cache', () => {
  it('list: models, sizes, revisions with their refs, partial downloads', async () => {
    await download(['config.json', 'tokenizer.json']);
    const blobs = join(cacheDir, repoFolderName, 'blobs');
    await writeFile(join(blobs, `${'a'.repeat(64)}.incomplete`), 'partial');
    const run = await cache(['list']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`Hub cache: ${cacheDir}`);
    expect(run.stdout).toContain(modelId);
    expect(run.stdout).toContain(`${hub.commitOf(modelId).slice(0, 12)} (main) 2 files`);
    expect(run.stdout).toContain(`partial download ${join(blobs, `${'a'.repeat(64)}.incomplete`)}`);
    const json = JSON.parse((await cache(['list', '--json'])).stdout);
    expect(json.repos[0]).toMatchObject({ id: modelId, revisions: [{ commit: hub.commitOf(modelId), refs: ['main'], files: 2 }] });
  });

  it('verify: finds a damaged blob (same size, one bit), --fix downloads it again', async () => {
    await download(['config.json', 'tokenizer.json', 'onnx/model.onnx']);
    expect((await cache(['verify'])).stdout).toContain('Every blob is sound.');
    const tokenizer = await readFile(join(bert, 'tokenizer.json'));
    const blob = join(cacheDir, repoFolderName, 'blobs', gitBlobSha1(tokenizer));
    const damaged = Buffer.from(tokenizer);
    damaged[10] ^= 1;
    await writeFile(blob, damaged);

    const found = await cache(['verify']);
    expect(found.code).toBe(1);
    expect(found.stdout).toContain(`damaged: ${blob}`);
    expect(found.stdout).toContain(`${modelId}@${hub.commitOf(modelId)}/tokenizer.json`);
    expect(found.stdout).toContain('fillmask cache verify --fix');

    const fixed = await cache(['verify', '--fix']);
    expect(fixed.code, fixed.stdout + fixed.stderr).toBe(0);
    expect(fixed.stdout).toContain(`downloaded again: ${modelId}@${hub.commitOf(modelId)}/tokenizer.json`);
    expect((await readFile(blob)).equals(tokenizer)).toBe(true);
    expect((await cache(['verify'])).code).toBe(0);
  });

  it('prune: partial downloads, detached revisions and their blobs, abandoned locks; --dry-run removes nothing', async () => {
    await download(['config.json']);
    // A revision no ref points to: main moved on from it, say.
    await download(['config.json'], 'v2');
    const v2Ref = join(cacheDir, repoFolderName, 'refs', 'v2');
    await rm(v2Ref);
    const blobs = join(cacheDir, repoFolderName, 'blobs');
    const partial = join(blobs, `${'b'.repeat(64)}.incomplete`);
    await writeFile(partial, 'partial');
    const locks = join(cacheDir, '.locks', repoFolderName);
    await mkdir(locks, { recursive: true });
    const deadLock = join(locks, `${'c'.repeat(64)}.lock`);
    await writeFile(deadLock, JSON.stringify({ pid: 2 ** 22 + 7, token: 'x' }));
    const oldLock = join(locks, `${'d'.repeat(64)}.lock`);
    await writeFile(oldLock, '');
    await utimes(oldLock, new Date(0), new Date(0));

    const dry = await cache(['prune', '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`would remove partial download ${partial}`);
    expect(dry.stdout).toContain(
      `would remove detached revision ${join(cacheDir, repoFolderName, 'snapshots', hub.commitOf(modelId, 'v2'))}`,
    );
    expect(dry.stdout).toContain(`would remove abandoned lock ${deadLock}`);
    // Same files in both revisions: the blob stays, main uses it.
    expect(dry.stdout).not.toContain('unused blob');
    expect(await readdir(blobs)).toContain(`${'b'.repeat(64)}.incomplete`);

    const run = await cache(['prune']);
    expect(run.code).toBe(0);
    expect((await readdir(blobs)).sort()).toEqual([gitBlobSha1(await readFile(join(bert, 'config.json')))]);
    expect(await readdir(join(cacheDir, repoFolderName, 'snapshots'))).toEqual([hub.commitOf(modelId)]);
    expect(await readdir(locks)).toEqual([]);
    expect((await cache(['prune'])).stdout).toContain('Nothing to prune.');
    // What is left still loads.
    await download(['config.json']);
  });

  it('says what to do with a wrong command line', async () => {
    expect((await cache([])).code).toBe(2);
    expect((await cache(['clean'])).stderr).toContain('list, verify or prune');
    expect((await cache(['list', '--fix'])).code).toBe(2);
    const help = await cache(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: fillmask cache <list\|verify\|prune>/);
    // A mistyped --cache-dir is not an empty, sound cache.
    cacheDir = join(root, 'no-such-folder');
    const missing = await cache(['verify']);
    expect([missing.code, missing.stdout]).toEqual([2, '']);
    expect(missing.stderr).toContain(`--cache-dir ${cacheDir} does not exist`);
    cacheDir = join(root, 'a-file');
    await writeFile(cacheDir, 'not a cache');
    const file = await cache(['list']);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain('is a file, not a folder');
  });
});
