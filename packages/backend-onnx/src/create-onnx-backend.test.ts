import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFillMask, UnsupportedModelError, type ModelFiles } from '@fillmask/core';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { createOnnxBackend } from './create-onnx-backend.js';
import type { OnnxBackendOptions } from './onnx-backend-options.js';

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
        // int8: batches will get the variant quantizing each input on its own.
        if (quantized) expect(lines[1]).toMatch(/^fillmask: \S+ batches of several inputs will run a variant that quantizes each input on its own \(\d+ quantizers\)$/);
        expect(loaded.vocabSize).toBe(config.vocab_size);
        expect(loaded.batchInvariant).toBe(true);
        await loaded.dispose();
      }
    }
  });

  it('builds and opens the q8 batch variant at the first batch of several inputs, projecting only the mask rows', async () => {
    const lines: string[] = [];
    const folder = fixtureModelPath('tiny-bert-uncased');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const backend = createOnnxBackend({ onDebug: (line) => lines.push(line) });
    const loaded = await backend.loadModel({ files: folderFiles(folder), config, dtype: 'q8', modelFile: 'onnx/model_quantized.onnx' });
    const ids = Int32Array.of(101, 103, 102, 101, 2023, 103, 102, 0);
    const batch = { batchSize: 2, sequenceLength: 4, inputIds: ids, attentionMask: ids.map((id) => (id === 0 ? 0 : 1)), tokenTypeIds: new Int32Array(8) };
    await loaded.run({ ...batch, batchSize: 1, sequenceLength: 3, inputIds: ids.subarray(0, 3), attentionMask: Int32Array.of(1, 1, 1), tokenTypeIds: new Int32Array(3), positions: Int32Array.of(1) });
    expect(lines).toHaveLength(2);
    const { logits } = await loaded.run({ ...batch, positions: Int32Array.of(1, 6) });
    expect(logits).toHaveLength(2 * loaded.vocabSize);
    expect(lines[2]).toMatch(/^fillmask: onnx\/model_quantized.onnx the variant quantizing each input on its own rewritten: \d+ ops, the vocabulary projection among them, run on the mask rows only$/);
    await loaded.dispose();
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
  it('runs weight products as convolutions when asked: at the mask rows, or everywhere', async () => {
    const folder = fixtureModelPath('tiny-roberta');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const notesWith = async (options: OnnxBackendOptions) => {
      const lines: string[] = [];
      const loaded = await createOnnxBackend({ ...options, onDebug: (line) => lines.push(line) }).loadModel({ files: folderFiles(folder), config, dtype: 'fp32', modelFile: 'onnx/model.onnx' });
      await loaded.dispose();
      return lines.filter((line) => line.includes('convolution'));
    };
    expect(await notesWith({})).toEqual([]);
    // At the mask rows: the last layer's output block (attention output, feed-forward), the head's transform and the projection.
    expect(await notesWith({ pointwiseConvolutions: true })).toEqual(['fillmask: onnx/model.onnx 5 weight products run as 1×1 convolutions (5 with their bias)']);
    expect(await notesWith({ pointwiseConvolutions: 'everywhere' })).toEqual(['fillmask: onnx/model.onnx 14 weight products run as 1×1 convolutions (14 with their bias)']);
    expect(await notesWith({ pointwiseConvolutions: false })).toEqual([]);
  });

  // Retried: on a loaded machine a window can miss the control's spinning (it may end before the window opens).
  it('leaves no intra-op thread spinning once a call has returned', { retry: 2 }, async () => {
    // CPU time the process uses in the 150 ms after each of 4 calls, while Node only waits. Two
    // threads whatever the machine: with one there is no pool thread to spin.
    const idleCpuMilliseconds = async (extra?: Record<string, unknown>) => {
      const sessionOptions: OnnxBackendOptions['sessionOptions'] = { intraOpNumThreads: 2, ...(extra && { extra }) };
      const fillMask = await createFillMask({ model: fixtureModelPath('tiny-roberta'), backend: createOnnxBackend({ sessionOptions }), onWarning: () => undefined });
      const used: number[] = [];
      for (let call = 0; call < 4; call++) {
        await fillMask.fill('Paris is the <mask> of France.');
        const start = process.cpuUsage();
        await new Promise((resolve) => setTimeout(resolve, 150));
        const { user, system } = process.cpuUsage(start);
        used.push((user + system) / 1000);
      }
      await fillMask.dispose();
      return { quietest: Math.min(...used), busiest: Math.max(...used) };
    };
    // The defaults spin between the ops of a run only (session.force_spinning_stop).
    const defaults = await idleCpuMilliseconds();
    expect(defaults.quietest).toBeLessThan(5);
    // The control: onnxruntime's spinning threads, not stopped, keep a core busy after the call.
    const control = await idleCpuMilliseconds({ session: { force_spinning_stop: '0' } });
    expect(control.busiest).toBeGreaterThan(defaults.quietest + 10);
  });
});
