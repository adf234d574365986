import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareFillMaskGraphs } from '../graph/prepare-fill-mask-graphs.js';
import { buildMaskedLmGraph } from './build-masked-lm-graph.js';
import type { ModelConfig } from '@fillmask/core';
import type { ModelWeights, WeightTensor } from '../weights/model-weights.js';
import {
  fixtureArchitectures,
  readFixtureCheckpoint,
  weightsOf,
  type ExpectedLogits,
  type FixtureArchitecture,
} from './fixture-checkpoints.test-helper.js';

type Logits = readonly (readonly number[])[];

/** Feeds for `rows` right-padded with `padId`, with the inputs the session takes. */
function feedsFor(session: ort.InferenceSession, expected: ExpectedLogits, rows: number[]): Record<string, ort.Tensor> {
  const inputs = rows.map((row) => expected.inputs[row]);
  const length = Math.max(...inputs.map((input) => input.input_ids.length));
  const ids = new BigInt64Array(inputs.length * length).fill(BigInt(expected.pad_token_id));
  const mask = new BigInt64Array(ids.length);
  const types = new BigInt64Array(ids.length);
  for (const [row, input] of inputs.entries()) {
    for (const [column, id] of input.input_ids.entries()) {
      ids[row * length + column] = BigInt(id);
      mask[row * length + column] = 1n;
      types[row * length + column] = BigInt(input.token_type_ids[column]);
    }
  }
  const dims = [inputs.length, length];
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', types, dims),
  };
  return Object.fromEntries(session.inputNames.map((name) => [name, all[name]]));
}

/** The logits of `row` of a `[batch, sequence, vocab]` output at its first `positions` positions. */
function rowLogits(output: ort.Tensor, row: number, positions: number): number[][] {
  const [, length, vocab] = output.dims;
  const data = output.data as Float32Array;
  return Array.from({ length: positions }, (_, position) =>
    Array.from(data.subarray((row * length + position) * vocab, (row * length + position + 1) * vocab)),
  );
}

function largestDifference(actual: Logits, expected: Logits): number {
  return Math.max(
    ...actual.map((position, index) => Math.max(...position.map((value, column) => Math.abs(value - expected[index][column])))),
  );
}

/** 1e-4 of the logits' scale: float32 rounding in another order of operations, nothing more. */
function tolerance(expected: ExpectedLogits): number {
  return 1e-4 * Math.max(1, ...expected.single.flat(2).map(Math.abs));
}

describe('buildMaskedLmGraph', () => {
  for (const architecture of fixtureArchitectures) {
    describe(architecture, () => {
      const { config, weights, expected } = readFixtureCheckpoint(architecture);
      let model: Uint8Array;
      let session: ort.InferenceSession;
      beforeAll(async () => {
        model = buildMaskedLmGraph(config, weights);
        session = await ort.InferenceSession.create(model);
      });
      afterAll(async () => {
        await session?.release();
      });

      it("takes the inputs of the model's Optimum export and gives its logits output", () => {
        expect(session.inputNames).toEqual(
          expected.takes_token_types ? ['input_ids', 'attention_mask', 'token_type_ids'] : ['input_ids', 'attention_mask'],
        );
        expect(session.outputNames).toEqual(['logits']);
      });

      it("gives torch's logits for each input alone", async () => {
        for (const [row, input] of expected.inputs.entries()) {
          const { logits } = await session.run(feedsFor(session, expected, [row]));
          expect(logits.dims).toEqual([1, input.input_ids.length, config.vocab_size]);
          expect(largestDifference(rowLogits(logits, 0, input.input_ids.length), expected.single[row])).toBeLessThan(tolerance(expected));
        }
      });

      it("gives torch's logits at the real positions of a right-padded batch", async () => {
        const { logits } = await session.run(feedsFor(session, expected, [0, 1]));
        for (const [row, input] of expected.inputs.entries()) {
          expect(largestDifference(rowLogits(logits, row, input.input_ids.length), expected.padded_batch[row])).toBeLessThan(
            tolerance(expected),
          );
        }
      });

      it('runs its weight products as 1×1 convolutions when prepareFillMaskGraphs is asked to, with the same logits', async () => {
        const prepared = prepareFillMaskGraphs(model, { maskRowsOnly: false, pointwiseConvolutions: 'everywhere' });
        expect(prepared.notes.join('; ')).toMatch(/\d+ weight products run as 1×1 convolutions/);
        const rewritten = await ort.InferenceSession.create(prepared.single.model!);
        try {
          const { logits } = await rewritten.run(feedsFor(rewritten, expected, [0, 1]));
          for (const [row, input] of expected.inputs.entries()) {
            expect(largestDifference(rowLogits(logits, row, input.input_ids.length), expected.padded_batch[row])).toBeLessThan(
              tolerance(expected),
            );
          }
        } finally {
          await rewritten.release();
        }
      });

      it('is rewritten by prepareFillMaskGraphs to project the mask rows only, with the same logits there', async () => {
        const prepared = prepareFillMaskGraphs(model);
        expect(prepared.single.positionsInput).toBe('fillmask_mask_positions');
        expect(prepared.batchInvariant).toBe(true);
        const rewritten = await ort.InferenceSession.create(prepared.single.model!);
        try {
          // Position 2 of the first input and positions 1 and 9 of the second, in the padded batch (row length 12).
          const positions = [2, 12 + 1, 12 + 9];
          const feeds = {
            ...feedsFor(rewritten, expected, [0, 1]),
            fillmask_mask_positions: new ort.Tensor('int64', BigInt64Array.from(positions, BigInt), [3]),
          };
          const { logits } = await rewritten.run(feeds);
          expect(logits.dims).toEqual([3, config.vocab_size]);
          const rows = positions.map((position) =>
            Array.from(
              (logits.data as Float32Array).subarray(
                positions.indexOf(position) * logits.dims[1],
                (positions.indexOf(position) + 1) * logits.dims[1],
              ),
            ),
          );
          const want = [expected.padded_batch[0][2], expected.padded_batch[1][1], expected.padded_batch[1][9]];
          expect(largestDifference(rows, want)).toBeLessThan(tolerance(expected));
        } finally {
          await rewritten.release();
        }
      });
    });
  }
});

/** The largest difference from torch's logits of the graph built from `config` and `weights`, over both inputs alone. */
async function differenceFromTorch(architecture: FixtureArchitecture, config: ModelConfig, weights: ModelWeights): Promise<number> {
  const { expected } = readFixtureCheckpoint(architecture);
  const session = await ort.InferenceSession.create(buildMaskedLmGraph(config, weights));
  try {
    let largest = 0;
    for (const [row, input] of expected.inputs.entries()) {
      const { logits } = await session.run(feedsFor(session, expected, [row]));
      largest = Math.max(largest, largestDifference(rowLogits(logits, 0, input.input_ids.length), expected.single[row]));
    }
    return largest;
  } finally {
    await session.release();
  }
}

function renamed(tensor: WeightTensor, name: string): WeightTensor {
  return { ...tensor, name };
}

describe('buildMaskedLmGraph reads checkpoints as transformers loads them', () => {
  const bert = readFixtureCheckpoint('bert');
  const bertTensors = bert.weights.names().map((name) => bert.weights.get(name)!);
  const words = bert.weights.get('bert.embeddings.word_embeddings.weight')!;

  it('BERT saved from BertForPreTraining without the `bert.` prefix: the pooler and next-sentence head are left out', async () => {
    const extra = (name: string, shape: number[]): WeightTensor => ({
      name,
      dtype: 'F32',
      shape,
      bytes: new Uint8Array(shape.reduce((a, b) => a * b, 4)),
    });
    const weights = weightsOf([
      ...bertTensors.map((tensor) => renamed(tensor, tensor.name.replace(/^bert\./, ''))),
      extra('pooler.dense.weight', [32, 32]),
      extra('pooler.dense.bias', [32]),
      extra('cls.seq_relationship.weight', [2, 32]),
      extra('cls.seq_relationship.bias', [2]),
    ]);
    expect(await differenceFromTorch('bert', { ...bert.config, architectures: ['BertForPreTraining'] }, weights)).toBeLessThan(
      tolerance(bert.expected),
    );
  });

  it('a tied decoder weight stored beside the word embeddings (as .bin checkpoints do) is written once', async () => {
    const withDecoder = weightsOf([...bertTensors, renamed(words, 'cls.predictions.decoder.weight')]);
    expect(buildMaskedLmGraph(bert.config, withDecoder).length).toBe(buildMaskedLmGraph(bert.config, bert.weights).length);
    expect(await differenceFromTorch('bert', bert.config, withDecoder)).toBeLessThan(tolerance(bert.expected));
  });

  it('a decoder weight that differs from the word embeddings is used, as transformers then unties them', async () => {
    const untied = readFixtureCheckpoint('bert-untied');
    // bert-untied's own decoder, with config.json claiming the default tying.
    expect(await differenceFromTorch('bert-untied', { ...untied.config, tie_word_embeddings: undefined }, untied.weights)).toBeLessThan(
      tolerance(untied.expected),
    );
  });

  it("ModernBERT's older config fields (global_attn_every_n_layers, global_rope_theta, local_rope_theta)", async () => {
    const modernbert = readFixtureCheckpoint('modernbert');
    const config = {
      ...modernbert.config,
      layer_types: undefined,
      rope_parameters: undefined,
      global_attn_every_n_layers: 2,
      global_rope_theta: 160000,
      local_rope_theta: 10000,
    };
    expect(await differenceFromTorch('modernbert', config, modernbert.weights)).toBeLessThan(tolerance(modernbert.expected));
  });
});
