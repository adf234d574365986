import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UnsupportedModelError, type ModelFiles } from '@fillmask/core';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { createOnnxBackend } from './create-onnx-backend.js';

function folderFiles(folder: string, overrides: Record<string, Uint8Array> = {}): ModelFiles {
  return {
    location: folder,
    read: async (path) => overrides[path] ?? new Uint8Array(readFileSync(join(folder, path))),
    exists: async () => true,
  };
}

describe('createOnnxBackend', () => {
  it('rewrites every fixture graph, fp32 and q8, to project only the mask rows', async () => {
    for (const model of fixtureModels) {
      for (const modelFile of ['onnx/model.onnx', 'onnx/model_quantized.onnx']) {
        const lines: string[] = [];
        const backend = createOnnxBackend({ onDebug: (line) => lines.push(line) });
        const folder = fixtureModelPath(model);
        const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
        const loaded = await backend.loadModel({ files: folderFiles(folder), config, dtype: 'fp32', modelFile });
        const quantized = modelFile.endsWith('_quantized.onnx');
        expect(lines, `${model} ${modelFile}`).toHaveLength(quantized ? 2 : 1);
        const ops = Number(/^fillmask: \S+ rewritten: (\d+) ops, the vocabulary projection among them, run on the mask rows only$/.exec(lines[0])?.[1]);
        // fp32: the head and the last layer's attention output and feed-forward block; int8: the
        // projection alone (each DynamicQuantizeLinear reads a whole tensor).
        if (quantized) expect(ops).toBe(1);
        else expect(ops).toBeGreaterThanOrEqual(48);
        // int8: batches get the variant quantizing each input on its own, which projects only the mask rows too.
        if (quantized) expect(lines[1]).toMatch(/^fillmask: \S+ batches of several inputs run a variant that quantizes each input on its own \(\d+ quantizers\); it rewritten: \d+ ops/);
        expect(loaded.vocabSize).toBe(config.vocab_size);
        expect(loaded.batchInvariant).toBe(true);
        await loaded.dispose();
      }
    }
  });

  it('says why a graph is not rewritten, then loads it unchanged', async () => {
    const lines: string[] = [];
    const folder = fixtureModelPath('tiny-bert-uncased');
    // Not an ONNX model at all: the rewrite gives up, then onnxruntime rejects it with a typed error.
    const files = folderFiles(folder, { 'onnx/model.onnx': new Uint8Array([8, 7]) });
    const backend = createOnnxBackend({ onDebug: (line) => lines.push(line) });
    const error = await backend.loadModel({ files, config: {}, dtype: 'fp32', modelFile: 'onnx/model.onnx' }).catch((caught: unknown) => caught);
    expect(lines).toEqual(['fillmask: onnx/model.onnx runs unchanged, computing logits at every position: the model has no graph']);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('onnxruntime could not load onnx/model.onnx');
  });
});
