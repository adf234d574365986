import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ModelFiles } from '@fillmask/core';
import { prepareFillMaskGraphs, readModelWithWeightsByReference } from '@fillmask/onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import * as ort from 'onnxruntime-web/wasm';
import { createWebBackend } from './create-web-backend.js';
import { readGraphFiles } from './graph-by-reference.js';

const folder = fixtureModelPath('tiny-roberta');
const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
const read = (path: string) => new Uint8Array(readFileSync(join(folder, path)));

/** The fixture's files, each read recorded; `replace` answers some paths with other bytes. */
function fixtureFiles(replace: Record<string, Uint8Array> = {}): ModelFiles & { reads: string[] } {
  const reads: string[] = [];
  return {
    location: folder,
    reads,
    read: async (path) => {
      reads.push(path);
      return replace[path] ?? read(path);
    },
    exists: async () => true,
  };
}

describe('readGraphFiles', () => {
  it('gives the graph alone, its weights referencing the file as read, which goes with it as external data', async () => {
    for (const modelFile of ['onnx/model.onnx', 'onnx/model_quantized.onnx']) {
      const bytes = read(modelFile);
      const files = fixtureFiles();
      const graph = await readGraphFiles(files, modelFile, bytes);
      expect(graph.model.length).toBeLessThan(bytes.length / 4);
      expect(graph.externalData.map((file) => file.path)).toEqual([modelFile.slice('onnx/'.length)]);
      expect(graph.externalData[0].data).toBe(bytes);
      // The file is passed on as it was read, not read again.
      expect(files.reads).toEqual([]);
    }
  });

  it("keeps the files a graph already names, after the graph's own", async () => {
    const whole = read('onnx/model.onnx');
    const { model } = await readModelWithWeightsByReference(
      { size: whole.length, read: async (offset, length) => whole.slice(offset, offset + length) },
      { location: 'model.onnx_data', minBytes: 1 << 20 },
    );
    const files = fixtureFiles({ 'onnx/model.onnx_data': whole });
    const graph = await readGraphFiles(files, 'onnx/model.onnx', model);
    expect(graph.externalData.map((file) => file.path)).toEqual(['model.onnx', 'model.onnx_data']);
    expect(files.reads).toEqual(['onnx/model.onnx_data']);
  });

  it('passes bytes that are no ONNX model on whole, for onnxruntime to reject in its own words', async () => {
    const garbage = new Uint8Array([8, 7]);
    expect(await readGraphFiles(fixtureFiles(), 'onnx/model.onnx', garbage)).toEqual({ model: garbage, externalData: [] });
  });
});

// onnxruntime-web's WebAssembly build, in Node, one thread.
describe('createWebBackend with the weights by reference', () => {
  // <s> Hello <mask> </s>
  const ids = Int32Array.of(0, 713, 50264, 2);
  const input = {
    batchSize: 1,
    sequenceLength: 4,
    inputIds: ids,
    attentionMask: Int32Array.of(1, 1, 1, 1),
    tokenTypeIds: new Int32Array(4),
    positions: Int32Array.of(2),
  };

  it('gives the logits of the rewritten graph with its weights in it, bit for bit', async () => {
    ort.env.wasm.numThreads = 1;
    for (const dtype of ['fp32', 'q8'] as const) {
      const modelFile = dtype === 'q8' ? 'onnx/model_quantized.onnx' : 'onnx/model.onnx';
      const backend = createWebBackend({ numThreads: 1 });
      const loaded = await backend.loadModel({ files: fixtureFiles(), config, dtype, modelFile });
      // The way the backend opened graphs before: the rewritten whole file, as bytes.
      const graphs = prepareFillMaskGraphs(read(modelFile));
      const session = await ort.InferenceSession.create(graphs.single.model!, { graphOptimizationLevel: 'all' });
      try {
        const int64 = (values: Int32Array, dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(values, BigInt), dims);
        // One input: in q8 a batch of several runs the batch variant.
        const expected = await session.run({
          input_ids: int64(ids, [1, 4]),
          attention_mask: int64(input.attentionMask, [1, 4]),
          [graphs.single.positionsInput!]: int64(input.positions, [1]),
        });
        const { logits } = await loaded.run(input);
        expect(logits).toEqual(Object.values(expected)[0].data);
      } finally {
        await session.release();
        await loaded.dispose();
      }
    }
  });
});
