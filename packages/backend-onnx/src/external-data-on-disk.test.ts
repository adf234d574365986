import { copyFileSync, cpSync, lstatSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFillMask, ModelFileNotFoundError, UnsupportedModelError, type DownloadProgress, type FillMask, type ModelFiles } from '@fillmask/core';
import { readModelWithWeightsByReference } from '@fillmask/core/graph';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer } from '@fillmask/test-hub-server';
import { createOnnxBackend } from './create-onnx-backend.js';
import type { OnnxBackendOptions } from './onnx-backend-options.js';

const fixture = fixtureModelPath('tiny-roberta');
const sentences = ['Hello <mask>, how are you?', 'A <mask> and a <mask>.'];
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function tempDir(): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'fillmask-external-data-'));
  cleanups.push(() => rm(folder, { recursive: true, force: true }));
  return folder;
}

/**
 * The fixture saved as a model over 2 GB is: `onnx/model.onnx` holds the graph alone and names
 * `location` for its weights, which lie in `onnx/model.onnx_data` (unless `withData` is false).
 */
async function modelWithExternalData({ location = 'model.onnx_data', withData = true } = {}): Promise<string> {
  const folder = await tempDir();
  cpSync(fixture, folder, { recursive: true, filter: (source) => !source.endsWith('.onnx') });
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const original = new Uint8Array(readFileSync(join(fixture, 'onnx', 'model.onnx')));
  const { model } = await readModelWithWeightsByReference({ size: original.length, read: async (offset, length) => original.slice(offset, offset + length) }, { location });
  writeFileSync(join(folder, 'onnx', 'model.onnx'), model);
  if (withData) copyFileSync(join(fixture, 'onnx', 'model.onnx'), join(folder, 'onnx', 'model.onnx_data'));
  return folder;
}

async function fillAll(fillMask: FillMask): Promise<unknown> {
  try {
    return await fillMask.fill(sentences, { topK: 5 });
  } finally {
    await fillMask.dispose();
  }
}

describe('a model that keeps its weights in external data', () => {
  it('loads from the Hub: model.onnx_data is downloaded beside the graph and read through the cache links, by reference or read whole', async () => {
    const expected = await fillAll(await createFillMask({ model: fixture, backend: createOnnxBackend() }));
    const hub = await startHubServer({ repos: { 'org/big-model': { folder: await modelWithExternalData() } } });
    cleanups.push(() => hub.close());
    for (const options of [{}, { pointwiseConvolutions: true }] satisfies OnnxBackendOptions[]) {
      const cacheDir = await tempDir();
      const lines: string[] = [];
      const progress: DownloadProgress[] = [];
      const backend = createOnnxBackend({ ...options, onDebug: (line) => lines.push(line) });
      const fillMask = await createFillMask({ model: 'org/big-model', hubUrl: hub.url, cacheDir, backend, onProgress: (event) => progress.push(event) });
      expect(await fillAll(fillMask), JSON.stringify(options)).toEqual(expected);
      // Downloaded into the cache as the Hub lays it out: the snapshot file links to a blob.
      expect(progress.some((event) => event.file === 'onnx/model.onnx_data' && event.status === 'done')).toBe(true);
      const snapshot = join(cacheDir, 'models--org--big-model', 'snapshots', hub.commitOf('org/big-model'));
      expect(lstatSync(join(snapshot, 'onnx', 'model.onnx_data')).isSymbolicLink()).toBe(true);
      expect(lines.filter((line) => line.includes('read whole'))).toEqual([]);
      expect(lines.filter((line) => line.includes('weight tensors from the file itself'))).toHaveLength('pointwiseConvolutions' in options ? 0 : 1);
    }
  });

  it('names the external data file the Hub does not have', async () => {
    const hub = await startHubServer({ repos: { 'org/big-model': { folder: await modelWithExternalData({ withData: false }) } } });
    cleanups.push(() => hub.close());
    const error = await createFillMask({ model: 'org/big-model', hubUrl: hub.url, cacheDir: await tempDir(), backend: createOnnxBackend() }).catch((caught: unknown) => caught);
    expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('onnx/model.onnx_data');
  });

  it('refuses a name outside the model folder before reading anything there', async () => {
    const folder = await modelWithExternalData({ location: '../model.onnx_data' });
    copyFileSync(join(fixture, 'onnx', 'model.onnx'), join(folder, 'model.onnx_data'));
    const error = await createFillMask({ model: folder, backend: createOnnxBackend() }).catch((caught: unknown) => caught);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('names the external data file "../model.onnx_data", which is not a path inside the model\'s folder');
  });

  it('needs files on disk, and says so for a model source without them', async () => {
    const folder = await modelWithExternalData();
    const files: ModelFiles = { location: 'memory:big-model', read: async (path) => new Uint8Array(readFileSync(join(folder, path))), exists: async () => true };
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const error = await createOnnxBackend()
      .loadModel({ files, config, dtype: 'fp32', modelFile: 'onnx/model.onnx' })
      .catch((caught: unknown) => caught);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('onnx/model.onnx keeps its weights in onnx/model.onnx_data, which onnxruntime-node reads from disk');
  });
});
