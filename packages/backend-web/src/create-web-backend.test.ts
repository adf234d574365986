import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BackendUnavailableError, createFillMask, InvalidArgumentError, type ModelFiles } from '@fillmask/core';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createBackend, createWebBackend } from './index.js';

describe('createWebBackend', () => {
  it('is the v1 model backend that core finds under the name "web"', async () => {
    const backend = createBackend();
    expect(backend).toMatchObject({ specificationVersion: 'v1', name: 'web' });
    expect(
      typeof createWebBackend({ executionProvider: 'webgpu', fallbackToWasm: true, numThreads: 2, wasmPaths: '/ort/' }).loadModel,
    ).toBe('function');
  });

  it('checks its options when created', () => {
    const invalid = [{ executionProvider: 'webgl' }, { numThreads: 0 }, { numThreads: 1.5 }, { wasmPaths: 42 }];
    for (const options of invalid) {
      expect(InvalidArgumentError.isInstance(thrownBy(() => createWebBackend(options as never))), JSON.stringify(options)).toBe(true);
    }
  });

  it('without WebGPU, rejects a webgpu request before loading any runtime (Node has no navigator.gpu)', async () => {
    let runtimeLoads = 0;
    const backend = createWebBackend({
      executionProvider: 'webgpu',
      runtime: async () => {
        runtimeLoads += 1;
        throw new Error('not to be loaded');
      },
    });
    const error = await createFillMask({ model: fixtureModelPath('tiny-albert'), backend }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('WebGPU was requested (executionProvider: "webgpu") but this browser has no WebGPU');
    expect(runtimeLoads).toBe(0);
  });

  it('turns a runtime that cannot be imported into BackendUnavailableError', async () => {
    const backend = createWebBackend({ runtime: () => Promise.reject(new Error('Failed to fetch dynamically imported module')) });
    const error = await createFillMask({ model: fixtureModelPath('tiny-albert'), backend }).catch((caught: unknown) => caught);
    expect(BackendUnavailableError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('onnxruntime-web could not be loaded (Failed to fetch dynamically imported module)');
  });
});

// onnxruntime-web's WebAssembly build runs in Node too: the backend as the page runs it, on one thread.
describe('createWebBackend onDebug, on onnxruntime-web in Node', () => {
  const folder = fixtureModelPath('tiny-bert-uncased');
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
  const modelFile = 'onnx/model_quantized.onnx';
  // [CLS] [MASK] [SEP] and [CLS] this [MASK] [SEP]: two inputs of different lengths, the first padded.
  const ids = Int32Array.of(101, 103, 102, 0, 101, 2023, 103, 102);
  const batch = {
    batchSize: 2,
    sequenceLength: 4,
    inputIds: ids,
    attentionMask: ids.map((id) => (id === 0 ? 0 : 1)),
    tokenTypeIds: new Int32Array(8),
    positions: Int32Array.of(1, 6),
  };
  const alone = (from: number, length: number, position: number) => ({
    batchSize: 1,
    sequenceLength: length,
    inputIds: ids.slice(from, from + length),
    attentionMask: new Int32Array(length).fill(1),
    tokenTypeIds: new Int32Array(length),
    positions: Int32Array.of(position),
  });

  /** The fixture's files; with `breakAfterLoad`, the model file reads as garbage once loaded, so the batch variant cannot be built. */
  function files(breakAfterLoad = false): ModelFiles {
    let modelReads = 0;
    return {
      location: folder,
      read: async (path) =>
        path === modelFile && breakAfterLoad && modelReads++ > 0
          ? new Uint8Array([8, 7])
          : new Uint8Array(readFileSync(join(folder, path))),
      exists: async () => true,
    };
  }

  it('gets the notes at load and the batch variant at the first batch of several inputs, as the Node backend words them', async () => {
    const lines: string[] = [];
    const backend = createWebBackend({ numThreads: 1, onDebug: (line) => lines.push(line) });
    const loaded = await backend.loadModel({ files: files(), config, dtype: 'q8', modelFile });
    // WebAssembly on one thread: core cuts passes by the least budget.
    expect(loaded.preferredBatchTokens).toBe(256);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^fillmask: onnx\/model_quantized\.onnx rewritten: \d+ ops, the vocabulary projection among them, run on the mask rows only$/,
    );
    expect(lines[1]).toMatch(
      /^fillmask: onnx\/model_quantized\.onnx batches of several inputs will run a variant that quantizes each input on its own \(\d+ quantizers\)$/,
    );
    await loaded.run(alone(0, 3, 1));
    expect(lines).toHaveLength(2);
    const { logits } = await loaded.run(batch);
    expect(logits).toHaveLength(2 * loaded.vocabSize);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      /^fillmask: onnx\/model_quantized\.onnx the variant quantizing each input on its own rewritten: \d+ ops, the vocabulary projection among them, run on the mask rows only$/,
    );
    // The variant gives each input its logits alone, up to float rounding.
    const each = Float32Array.from([...(await loaded.run(alone(0, 3, 1))).logits, ...(await loaded.run(alone(4, 4, 2))).logits]);
    expect(Math.max(...logits.map((value, index) => Math.abs(value - each[index])))).toBeLessThan(1e-4);
    await loaded.dispose();
  });

  it('says why batches run input by input when the variant does not load, and they still give each input its own logits', async () => {
    const lines: string[] = [];
    const backend = createWebBackend({ numThreads: 1, onDebug: (line) => lines.push(line) });
    const loaded = await backend.loadModel({ files: files(true), config, dtype: 'q8', modelFile });
    const { logits } = await loaded.run(batch);
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(
      /^fillmask: onnx\/model_quantized\.onnx's per-input quantized variant did not load, so batches run input by input: Error: no per-input quantized variant: .+$/,
    );
    const first = await loaded.run(alone(0, 3, 1));
    const second = await loaded.run(alone(4, 4, 2));
    expect(logits).toEqual(Float32Array.from([...first.logits, ...second.logits]));
    await loaded.dispose();
  });
});

function thrownBy(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
}
