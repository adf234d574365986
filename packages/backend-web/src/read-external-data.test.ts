import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelFileNotFoundError, UnsupportedModelError, type ModelFiles } from '@fillmask/core';
import { readModelWithWeightsByReference } from '@fillmask/onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createWebBackend } from './create-web-backend.js';

// onnxruntime-web's WebAssembly build, in Node: the graph and its external data reach it as bytes, as in a page.
describe('createWebBackend with a model that keeps its weights in external data', () => {
  const folder = fixtureModelPath('tiny-roberta');
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
  const modelFile = 'onnx/model.onnx';
  const whole = new Uint8Array(readFileSync(join(folder, modelFile)));
  const ids = Int32Array.of(0, 713, 50264, 2, 0, 50264, 2, 1);
  const batch = {
    batchSize: 2,
    sequenceLength: 4,
    inputIds: ids,
    attentionMask: ids.map((id) => (id === 1 ? 0 : 1)),
    tokenTypeIds: new Int32Array(8),
    positions: Int32Array.of(2, 5),
  };

  /** The fixture with its graph in `onnx/model.onnx` naming `location`, its weights in `onnx/model.onnx_data`; every read recorded. */
  async function files(location = 'model.onnx_data', data: Uint8Array | null = whole): Promise<ModelFiles & { reads: string[] }> {
    const { model } = await readModelWithWeightsByReference(
      { size: whole.length, read: async (offset, length) => whole.slice(offset, offset + length) },
      { location },
    );
    const reads: string[] = [];
    const source = 'https://models.example/tiny-roberta/';
    return {
      location: source,
      reads,
      async read(path) {
        reads.push(path);
        if (path === modelFile) return model;
        if (path === 'onnx/model.onnx_data' && data) return data;
        if (path.startsWith('onnx/')) throw new ModelFileNotFoundError({ model: source, file: path });
        return new Uint8Array(readFileSync(join(folder, path)));
      },
      exists: async () => true,
    };
  }

  it('reads the external data through the model files and gives the same logits as the whole model', async () => {
    const backend = createWebBackend({ numThreads: 1 });
    const expected = await backend.loadModel({
      files: { location: folder, read: async (path) => new Uint8Array(readFileSync(join(folder, path))), exists: async () => true },
      config,
      dtype: 'fp32',
      modelFile,
    });
    const source = await files();
    const loaded = await backend.loadModel({ files: source, config, dtype: 'fp32', modelFile });
    try {
      expect(source.reads).toEqual([modelFile, 'onnx/model.onnx_data']);
      expect((await loaded.run(batch)).logits).toEqual((await expected.run(batch)).logits);
    } finally {
      await loaded.dispose();
      await expected.dispose();
    }
  });

  it('passes on the error of a missing external data file, and refuses a name outside the model folder before reading it', async () => {
    const backend = createWebBackend({ numThreads: 1 });
    const missing = await backend
      .loadModel({ files: await files('model.onnx_data', null), config, dtype: 'fp32', modelFile })
      .catch((caught: unknown) => caught);
    expect(ModelFileNotFoundError.isInstance(missing)).toBe(true);
    expect((missing as Error).message).toContain('onnx/model.onnx_data');
    const outside = await files('../../secrets.bin');
    const escaped = await backend.loadModel({ files: outside, config, dtype: 'fp32', modelFile }).catch((caught: unknown) => caught);
    expect(UnsupportedModelError.isInstance(escaped)).toBe(true);
    expect((escaped as Error).message).toContain('names the external data file "../../secrets.bin"');
    expect(outside.reads).toEqual([modelFile]);
  });

  it('builds the q8 batch variant from int8 weights in external data, with the same logits as from the whole model', async () => {
    const q8File = 'onnx/model_quantized.onnx';
    const q8 = new Uint8Array(readFileSync(join(folder, q8File)));
    const { model } = await readModelWithWeightsByReference(
      { size: q8.length, read: async (offset, length) => q8.slice(offset, offset + length) },
      { location: 'model_quantized.onnx_data', integerMatrices: true },
    );
    const files = (external: boolean): ModelFiles => ({
      location: folder,
      read: async (path) =>
        !external
          ? new Uint8Array(readFileSync(join(folder, path)))
          : path === q8File
            ? model
            : path === 'onnx/model_quantized.onnx_data'
              ? q8
              : new Uint8Array(readFileSync(join(folder, path))),
      exists: async () => true,
    });
    const lines: string[] = [];
    const backend = createWebBackend({ numThreads: 1, onDebug: (line) => lines.push(line) });
    const expected = await backend.loadModel({ files: files(false), config, dtype: 'q8', modelFile: q8File });
    const loaded = await backend.loadModel({ files: files(true), config, dtype: 'q8', modelFile: q8File });
    try {
      expect((await loaded.run(batch)).logits).toEqual((await expected.run(batch)).logits);
      expect(lines.filter((line) => line.includes('the variant quantizing each input on its own rewritten'))).toHaveLength(2);
      expect(lines.filter((line) => line.includes('did not load'))).toEqual([]);
    } finally {
      await loaded.dispose();
      await expected.dispose();
    }
  });
});
