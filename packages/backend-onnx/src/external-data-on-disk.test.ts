import { copyFileSync, cpSync, lstatSync, mkdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFillMask,
  ModelFileNotFoundError,
  UnsupportedModelError,
  type DownloadProgress,
  type FillMask,
  type ModelFiles,
} from '@fillmask/core';
import { readModelWithWeightsByReference } from '@fillmask/onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer } from '@fillmask/test-hub-server';
import * as ort from 'onnxruntime-node';
import { createOnnxBackend } from './create-onnx-backend.js';
import { externalDataOnDisk } from './external-data-on-disk.js';
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
 * The fixture saved as a model over 2 GB is: `onnx/<file>` holds the graph alone and names
 * `location` for its weights (int8 ones included), which lie in `onnx/<file>_data` (unless `withData` is false).
 */
async function modelWithExternalData({
  file = 'model.onnx',
  location = `${file}_data`,
  withData = true,
}: {
  file?: string;
  location?: string;
  withData?: boolean;
} = {}): Promise<string> {
  const folder = await tempDir();
  cpSync(fixture, folder, { recursive: true, filter: (source) => !source.endsWith('.onnx') });
  mkdirSync(join(folder, 'onnx'), { recursive: true });
  const original = new Uint8Array(readFileSync(join(fixture, 'onnx', file)));
  const { model } = await readModelWithWeightsByReference(
    { size: original.length, read: async (offset, length) => original.slice(offset, offset + length) },
    { location, integerMatrices: true },
  );
  writeFileSync(join(folder, 'onnx', file), model);
  if (withData) copyFileSync(join(fixture, 'onnx', file), join(folder, 'onnx', `${file}_data`));
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
  it('loads from the Hub: model.onnx_data is downloaded beside the graph and read through the cache links, by reference, with the products at the mask rows as convolutions or not', async () => {
    const hub = await startHubServer({ repos: { 'org/big-model': { folder: await modelWithExternalData() } } });
    cleanups.push(() => hub.close());
    for (const options of [{}, { pointwiseConvolutions: false }] satisfies OnnxBackendOptions[]) {
      const expected = await fillAll(await createFillMask({ model: fixture, backend: createOnnxBackend(options) }));
      const cacheDir = await tempDir();
      const lines: string[] = [];
      const progress: DownloadProgress[] = [];
      const backend = createOnnxBackend({ ...options, onDebug: (line) => lines.push(line) });
      const fillMask = await createFillMask({
        model: 'org/big-model',
        hubUrl: hub.url,
        cacheDir,
        backend,
        onProgress: (event) => progress.push(event),
      });
      expect(await fillAll(fillMask), JSON.stringify(options)).toEqual(expected);
      // Downloaded into the cache as the Hub lays it out: the snapshot file links to a blob.
      expect(progress.some((event) => event.file === 'onnx/model.onnx_data' && event.status === 'done')).toBe(true);
      const snapshot = join(cacheDir, 'models--org--big-model', 'snapshots', hub.commitOf('org/big-model'));
      expect(lstatSync(join(snapshot, 'onnx', 'model.onnx_data')).isSymbolicLink()).toBe(true);
      expect(lines.filter((line) => line.includes('read whole'))).toEqual([]);
      expect(lines.filter((line) => line.includes('weight tensors from the file itself'))).toHaveLength(1);
      // The convolution rewrite reads the matrices it transposes from model.onnx_data, through the cache's link.
      expect(lines.filter((line) => line.includes('5 weight products run as 1×1 convolutions'))).toHaveLength(
        'pointwiseConvolutions' in options ? 0 : 1,
      );
    }
  });

  it('q8 with its int8 weights in model_quantized.onnx_data: batches still run the variant quantizing each input on its own, by reference', async () => {
    const folder = await modelWithExternalData({ file: 'model_quantized.onnx' });
    const expected = await fillAll(await createFillMask({ model: fixture, dtype: 'q8', backend: createOnnxBackend() }));
    for (const options of [{}, { pointwiseConvolutions: false }] satisfies OnnxBackendOptions[]) {
      const lines: string[] = [];
      const fillMask = await createFillMask({
        model: folder,
        dtype: 'q8',
        backend: createOnnxBackend({ ...options, onDebug: (line) => lines.push(line) }),
      });
      expect(await fillAll(fillMask), JSON.stringify(options)).toEqual(expected);
      expect(lines.filter((line) => line.includes('the variant quantizing each input on its own rewritten'))).toHaveLength(1);
      // Both graphs, the one for one input at a time and the batch variant, are opened by reference.
      expect(lines.filter((line) => line.includes('weight tensors from the file itself'))).toHaveLength(2);
      expect(lines.filter((line) => line.includes('read whole') || line.includes('did not load'))).toEqual([]);
    }
  });

  it('names the external data file the Hub does not have', async () => {
    const hub = await startHubServer({ repos: { 'org/big-model': { folder: await modelWithExternalData({ withData: false }) } } });
    cleanups.push(() => hub.close());
    const error = await createFillMask({
      model: 'org/big-model',
      hubUrl: hub.url,
      cacheDir: await tempDir(),
      backend: createOnnxBackend(),
    }).catch((caught: unknown) => caught);
    expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('onnx/model.onnx_data');
  });

  it('refuses a name outside the model folder before reading anything there', async () => {
    const folder = await modelWithExternalData({ location: '../model.onnx_data' });
    copyFileSync(join(fixture, 'onnx', 'model.onnx'), join(folder, 'model.onnx_data'));
    const error = await createFillMask({ model: folder, backend: createOnnxBackend() }).catch((caught: unknown) => caught);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'names the external data file "../model.onnx_data", which is not a path inside the model\'s folder',
    );
  });

  it('rejects external data that ends before the weights the graph names, with the typed error', async () => {
    const folder = await modelWithExternalData();
    const data = join(folder, 'onnx', 'model.onnx_data');
    writeFileSync(data, readFileSync(data).subarray(0, 1000));
    const lines: string[] = [];
    const error = await createFillMask({ model: folder, backend: createOnnxBackend({ onDebug: (line) => lines.push(line) }) }).catch(
      (caught: unknown) => caught,
    );
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    // The convolution rewrite reads the matrices it transposes: by reference first, then from the whole graph.
    expect((error as Error).message).toMatch(
      /onnx\/model\.onnx could not be prepared: external data model\.onnx_data ends before byte \d+/,
    );
    expect(lines.filter((line) => line.includes('did not load, so it is read whole'))).toHaveLength(1);
  });

  it('needs files on disk, and says so for a model source without them', async () => {
    const folder = await modelWithExternalData();
    const files: ModelFiles = {
      location: 'memory:big-model',
      read: async (path) => new Uint8Array(readFileSync(join(folder, path))),
      exists: async () => true,
    };
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const error = await createOnnxBackend()
      .loadModel({ files, config, dtype: 'fp32', modelFile: 'onnx/model.onnx' })
      .catch((caught: unknown) => caught);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'onnx/model.onnx keeps its weights in onnx/model.onnx_data, which onnxruntime-node reads from disk',
    );
  });

  it('with an onnxruntime older than 1.21, loads the graph as it is from its path, and says why a rewritten one cannot load', async () => {
    const folder = await modelWithExternalData();
    const expected = await fillAll(await createFillMask({ model: fixture, backend: createOnnxBackend({ maskRowsOnly: false }) }));
    // The real runtime, reporting an older version; what it is handed is recorded: the path, with no folder setting.
    const opened: string[] = [];
    const create = (source: string | Uint8Array, options: ort.InferenceSession.SessionOptions) => {
      opened.push(`${typeof source === 'string' ? source : 'bytes'} ${JSON.stringify(options.extra ?? {})}`);
      return typeof source === 'string' ? ort.InferenceSession.create(source, options) : ort.InferenceSession.create(source, options);
    };
    const older = {
      ...ort,
      env: { ...ort.env, versions: { common: '1.20.1', node: '1.20.1' } },
      InferenceSession: { create },
    } as unknown as typeof ort;
    expect(
      await fillAll(await createFillMask({ model: folder, backend: createOnnxBackend({ runtime: older, maskRowsOnly: false }) })),
    ).toEqual(expected);
    expect(opened).toHaveLength(1);
    expect(opened[0].startsWith(`${join(folder, 'onnx', 'model.onnx')} `)).toBe(true);
    expect(opened[0]).not.toContain('model_external_initializers_file_folder_path');
    // Nor does converting every product change that: weights in external data stay MatMul weights for it.
    const lines: string[] = [];
    const everywhere = createOnnxBackend({
      runtime: older,
      maskRowsOnly: false,
      pointwiseConvolutions: 'everywhere',
      onDebug: (line) => lines.push(line),
    });
    expect(await fillAll(await createFillMask({ model: folder, backend: everywhere }))).toEqual(expected);
    expect(opened).toHaveLength(2);
    expect(opened[1].startsWith(`${join(folder, 'onnx', 'model.onnx')} `)).toBe(true);
    expect(lines).toContain(
      'fillmask: onnx/model.onnx no weight product runs as a 1×1 convolution: its fp32 weight matrices lie in external data, and no reader of it was given',
    );
    const error = await createFillMask({ model: folder, backend: createOnnxBackend({ runtime: older }) }).catch(
      (caught: unknown) => caught,
    );
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      'onnx/model.onnx keeps its weights in external data, which an onnxruntime older than 1.21 (or of unknown version) finds for a rewritten graph only in the working directory',
    );
  });
});

describe('externalDataOnDisk', () => {
  /** Model files on disk in `folder`, where `links` are symbolic links to elsewhere. */
  async function layout(links: Record<string, string>, files: readonly string[] = []): Promise<{ folder: string; files: ModelFiles }> {
    const folder = await tempDir();
    for (const file of [...files, ...Object.keys(links)]) mkdirSync(dirname(join(folder, file)), { recursive: true });
    for (const file of files) writeFileSync(join(folder, file), file);
    for (const [file, target] of Object.entries(links)) symlinkSync(target, join(folder, file));
    const location = folder;
    return {
      folder,
      files: { location, read: async () => new Uint8Array(), exists: async () => true, localPath: async (path) => join(folder, path) },
    };
  }

  it('keeps the names of files below the model file, in its folder', async () => {
    const { folder, files } = await layout({}, ['onnx/model.onnx_data', 'onnx/weights/part-1.bin']);
    const placed = await externalDataOnDisk(
      files,
      'onnx/model.onnx',
      ['model.onnx_data', 'weights/part-1.bin'],
      realpathSync(join(folder, 'onnx')),
    );
    expect(placed).toEqual({
      folder: realpathSync(join(folder, 'onnx')),
      relocation: new Map([
        ['model.onnx_data', 'model.onnx_data'],
        ['weights/part-1.bin', 'weights/part-1.bin'],
      ]),
    });
  });

  it('names linked files as their targets, which share a folder, as blobs do in the Hub cache', async () => {
    const { folder, files } = await layout(
      { 'snapshot/onnx/model.onnx_data': '../../blobs/8d4c0a1b', 'snapshot/onnx/second.bin': '../../blobs/77e0f3c2' },
      ['blobs/8d4c0a1b', 'blobs/77e0f3c2'],
    );
    const blobs = realpathSync(join(folder, 'blobs'));
    const expected = {
      folder: blobs,
      relocation: new Map([
        ['model.onnx_data', '8d4c0a1b'],
        ['second.bin', '77e0f3c2'],
      ]),
    };
    // Whether the graph itself is a blob there (by reference) or not (the graph's bytes in hand).
    expect(await externalDataOnDisk(files, 'snapshot/onnx/model.onnx', ['model.onnx_data', 'second.bin'], blobs)).toEqual(expected);
    expect(
      await externalDataOnDisk(
        files,
        'snapshot/onnx/model.onnx',
        ['model.onnx_data', 'second.bin'],
        realpathSync(join(folder, 'snapshot', 'onnx')),
      ),
    ).toEqual(expected);
  });

  it('refuses files in several folders, which onnxruntime cannot read from one', async () => {
    const { folder, files } = await layout({ 'onnx/a.bin': '../first/a.bin', 'onnx/b.bin': '../second/b.bin' }, [
      'first/a.bin',
      'second/b.bin',
      'onnx/model.onnx',
    ]);
    const error = await externalDataOnDisk(files, 'onnx/model.onnx', ['a.bin', 'b.bin'], realpathSync(join(folder, 'onnx'))).catch(
      (caught: unknown) => caught,
    );
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(
      `the external data files of onnx/model.onnx lie in several folders (${realpathSync(join(folder, 'first'))}, ${realpathSync(join(folder, 'second'))}), and onnxruntime reads them from one`,
    );
  });
});
