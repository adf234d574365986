import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChildScript, runChild } from './hub-child-process.test-helper.js';
import { openHubModel } from './hub-model-files.js';
import { bertFolder, bertId, useHubSandbox } from './hub-sandbox.test-helper.js';

const sandbox = useHubSandbox();
const weightsFile = 'onnx/model.onnx';
let script: string;

beforeAll(async () => {
  const { mkdtemp } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  script = await buildChildScript(await mkdtemp(path.join(tmpdir(), 'fillmask-hub-child-')));
});

async function sha256Of(file: string): Promise<string> {
  return createHash('sha256')
    .update(await readFile(path.join(bertFolder, file)))
    .digest('hex');
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('Timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('downloads across processes', () => {
  it('three processes on one empty cache download each blob once, and all succeed', async () => {
    // The first body stalls for a while, so that the others surely arrive while it downloads.
    const hub = await sandbox.startHub({ faults: { stallBodyAfterBytes: 500_000, onlyFile: weightsFile, times: 1 } });
    const root = await sandbox.tempDir();
    const env = { HF_HUB_CACHE: path.join(root, 'hub'), HF_HOME: path.join(root, 'hf-home'), HF_HUB_DOWNLOAD_TIMEOUT: '1' };
    const files = ['config.json', weightsFile];
    const runs = [0, 1, 2].map(() => runChild(script, { modelId: bertId, hubUrl: hub.url, files, env }));
    const results = await Promise.all(runs.map((run) => run.done));
    const expected = { 'config.json': await sha256Of('config.json'), [weightsFile]: await sha256Of(weightsFile) };
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(JSON.parse(result.stdout)).toEqual(expected);
    }
    // One download of the weights from the start (the stalled one, then resumed by the same process).
    const cdn = hub.requests.filter((request) => request.server === 'cdn');
    expect(cdn.filter((request) => request.range === undefined)).toHaveLength(1);
    expect(cdn.map((request) => request.range)).toEqual([undefined, 'bytes=500000-']);
    const blobs = await readdir(path.join(env.HF_HUB_CACHE, 'models--fillmask-test--tiny-bert-uncased', 'blobs'));
    expect(blobs.filter((name) => name.endsWith('.incomplete'))).toEqual([]);
    // huggingface_hub's lock folder; locks are removed once released.
    expect(await readdir(path.join(env.HF_HUB_CACHE, '.locks', 'models--fillmask-test--tiny-bert-uncased'))).toEqual([]);
  });

  it('after kill -9 mid-download, a healthy run takes the dead lock over at once and resumes the partial file', async () => {
    const hub = await sandbox.startHub({ faults: { stallBodyAfterBytes: 1_000_000, onlyFile: weightsFile } });
    const root = await sandbox.tempDir();
    const cacheDir = path.join(root, 'hub');
    const env = { HF_HUB_CACHE: cacheDir, HF_HOME: path.join(root, 'hf-home'), HF_HUB_DOWNLOAD_TIMEOUT: '60' };
    const run = runChild(script, { modelId: bertId, hubUrl: hub.url, files: [weightsFile], env });
    const etag = await sha256Of(weightsFile);
    const incomplete = path.join(cacheDir, 'models--fillmask-test--tiny-bert-uncased', 'blobs', `${etag}.incomplete`);
    const lock = path.join(cacheDir, '.locks', 'models--fillmask-test--tiny-bert-uncased', `${etag}.lock`);
    await waitFor(async () => ((await stat(incomplete).catch(() => undefined))?.size ?? 0) >= 1_000_000);
    run.process.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    expect((await stat(lock)).isFile()).toBe(true);

    hub.setFaults({});
    const started = Date.now();
    const model = openHubModel(bertId, { hubUrl: hub.url }, env);
    const bytes = await model.read(weightsFile);
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(etag);
    // Not the 30 s a lock waits to go stale: its owner is dead.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(hub.requests.at(-1)).toMatchObject({ server: 'cdn', range: 'bytes=1000000-', status: 206 });
    expect(await stat(lock).catch(() => undefined)).toBeUndefined();
  });
});
