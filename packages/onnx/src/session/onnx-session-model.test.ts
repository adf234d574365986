import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import type { TokenBatchV1 } from '@fillmask/core';
import { prepareBatchGraph, prepareFillMaskGraphs } from '../graph/prepare-fill-mask-graphs.js';
import type { OnnxSessionLike } from './onnx-runtime-types.js';
import { OnnxSessionModel } from './onnx-session-model.js';

const sessionOptions: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  extra: { session: { x64quantprecision: '1' } },
};
const file = new Uint8Array(readFileSync(join(fixtureModelPath('tiny-bert-uncased'), 'onnx', 'model_quantized.onnx')));
const graphs = prepareFillMaskGraphs(file);
const batch = prepareBatchGraph(file).graph;

const rows = [
  [101, 1996, 103, 2003, 1037, 2307, 2154, 1012, 102],
  [101, 2023, 2003, 103, 102],
  [101, 103, 2293, 103, 2017, 102],
];

/** The rows padded into one batch, asking for the logits at every [MASK] (id 103). */
function batchOf(inputs: number[][]): TokenBatchV1 {
  const sequenceLength = Math.max(...inputs.map((row) => row.length));
  const inputIds = new Int32Array(inputs.length * sequenceLength);
  const attentionMask = new Int32Array(inputIds.length);
  const positions: number[] = [];
  for (const [index, row] of inputs.entries()) {
    for (const [column, id] of row.entries()) {
      inputIds[index * sequenceLength + column] = id;
      attentionMask[index * sequenceLength + column] = 1;
      if (id === 103) positions.push(index * sequenceLength + column);
    }
  }
  return {
    batchSize: inputs.length,
    sequenceLength,
    inputIds,
    attentionMask,
    tokenTypeIds: new Int32Array(inputIds.length),
    positions: Int32Array.from(positions),
  };
}

async function createModel(openBatchGraph: () => Promise<OnnxSessionLike>, onOpenError?: (error: unknown) => void) {
  if (!graphs.single.model || !graphs.batchGraph) throw new Error('the fixture was expected to get both graphs');
  return OnnxSessionModel.create({
    session: await ort.InferenceSession.create(graphs.single.model, sessionOptions),
    createInt64Tensor: (data, dims) => new ort.Tensor('int64', data, dims),
    backendName: 'onnx',
    location: 'tiny-bert-uncased',
    configVocabSize: undefined,
    positionsInput: graphs.single.positionsInput,
    batchInvariant: graphs.batchInvariant,
    batchGraph: { open: async () => ({ session: await openBatchGraph(), positionsInput: batch.positionsInput }), onOpenError },
  });
}

/** A session of the batch graph with `run` or `release` replaced (each replacement gets the real session). */
async function batchSession(replace: {
  run?: (session: ort.InferenceSession) => ReturnType<OnnxSessionLike['run']>;
  release?: (session: ort.InferenceSession) => Promise<void>;
}): Promise<OnnxSessionLike> {
  const session = await ort.InferenceSession.create(batch.model, sessionOptions);
  const { run, release } = replace;
  return Object.assign(Object.create(session) as OnnxSessionLike, {
    run: run ? () => run(session) : session.run.bind(session),
    release: () => (release ? release(session) : session.release()),
  });
}

/** Each input alone, its masks' logits in batch order. */
async function aloneLogits(model: OnnxSessionModel): Promise<Float32Array> {
  const parts = [];
  for (const row of rows) parts.push((await model.run(batchOf([row]))).logits);
  const joined = new Float32Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    joined.set(part, offset);
    offset += part.length;
  }
  return joined;
}

describe('OnnxSessionModel with a batch graph (an int8 graph quantizing per input)', () => {
  it('opens the batch graph at the first batch of several inputs, once, and answers each input exactly as alone', async () => {
    let opened = 0;
    const model = await createModel(async () => {
      opened++;
      return ort.InferenceSession.create(batch.model, sessionOptions);
    });
    expect(model.batchInvariant).toBe(true);
    const alone = await aloneLogits(model);
    expect(opened).toBe(0);
    expect((await model.run(batchOf(rows))).logits).toEqual(alone);
    expect((await model.run(batchOf(rows.slice(1)))).logits).toEqual(alone.subarray(model.vocabSize));
    expect(opened).toBe(1);
    await model.dispose();
  });

  it.each([
    ['cannot be opened', () => Promise.reject(new Error('no such op')), 'Error: no such op'],
    ['opens but cannot run', () => batchSession({ run: () => Promise.reject(new Error('cannot broadcast')) }), 'Error: cannot broadcast'],
  ] as const)('runs batches input by input when the batch graph %s, and says why once', async (_, openBatchGraph, reason) => {
    const errors: unknown[] = [];
    const model = await createModel(openBatchGraph, (error) => errors.push(error));
    const alone = await aloneLogits(model);
    expect((await model.run(batchOf(rows))).logits).toEqual(alone);
    expect((await model.run(batchOf(rows))).logits).toEqual(alone);
    expect(errors.map(String)).toEqual([reason]);
    await model.dispose();
  });

  it('releases both sessions on dispose', async () => {
    let released = 0;
    const model = await createModel(() =>
      batchSession({
        release: (session) => {
          released++;
          return session.release();
        },
      }),
    );
    await model.run(batchOf(rows));
    await model.dispose();
    expect(released).toBe(1);
  });
});

describe('OnnxSessionModel with a graph gathering the mask rows', () => {
  it('answers a batch asking for no position with no logits, without running the graph (its 1×1 convolutions reject zero rows)', async () => {
    const fp32 = prepareFillMaskGraphs(new Uint8Array(readFileSync(join(fixtureModelPath('tiny-roberta'), 'onnx', 'model.onnx'))), {
      pointwiseConvolutions: 'mask-rows',
    });
    const session = await ort.InferenceSession.create(fp32.single.model!, sessionOptions);
    let runs = 0;
    const counted = Object.assign(Object.create(session) as OnnxSessionLike, {
      run: (feeds: Parameters<OnnxSessionLike['run']>[0]) => {
        runs++;
        return session.run(feeds as ort.InferenceSession.FeedsType);
      },
      release: () => session.release(),
    });
    const model = await OnnxSessionModel.create({
      session: counted,
      createInt64Tensor: (data, dims) => new ort.Tensor('int64', data, dims),
      backendName: 'onnx',
      location: 'tiny-roberta',
      configVocabSize: undefined,
      positionsInput: fp32.single.positionsInput,
      batchInvariant: fp32.batchInvariant,
    });
    try {
      const ids = [0, 713, 16, 10, 1296, 2];
      const noPosition = { ...batchOf([ids]), positions: new Int32Array(0) };
      expect((await model.run(noPosition)).logits).toEqual(new Float32Array(0));
      expect(runs).toBe(0);
      const oneMask = { ...noPosition, positions: Int32Array.of(4) };
      expect((await model.run(oneMask)).logits).toHaveLength(model.vocabSize);
      expect(runs).toBe(1);
    } finally {
      await model.dispose();
    }
  });
});
