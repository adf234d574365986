import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsupportedModelError, type ModelConfig } from '@fillmask/core';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { prepareFillMaskGraphs } from '../graph/prepare-fill-mask-graphs.js';
import { buildMaskedLmGraph } from './build-masked-lm-graph.js';
import { readSafetensorsFolder } from './fixture-checkpoints.test-helper.js';

/** Weights-only Hub repositories with Python's `pipeline('fill-mask')` answers (internal/fixtures/hub-repos). */
const hubRepos = fileURLToPath(new URL('../../../../internal/fixtures/hub-repos/', import.meta.url));

interface Prediction {
  readonly score: number;
  readonly token: number;
}

interface PipelineCase {
  readonly id: string;
  readonly input_ids: readonly number[];
  readonly result: Prediction[] | Prediction[][];
  /** For float16 and bfloat16 repos: the pipeline on the weights widened to float32, as the graph is. */
  readonly result_float32_upcast?: Prediction[] | Prediction[][];
}

interface PipelineAnswers {
  readonly mask_token_id: number;
  readonly cases: readonly PipelineCase[];
}

/** The repos whose weights are safetensors (the pickles need a reader this folder does not have). */
const safetensorsRepos = [
  'bert-safetensors',
  'bert-sharded',
  'bert-fp16',
  'bert-bf16',
  'roberta-safetensors',
  'xlm-roberta-safetensors',
  'camembert-safetensors',
  'distilbert-safetensors',
  'albert-safetensors',
  'electra-generator-safetensors',
  'deberta-v2-safetensors',
  'modernbert-safetensors',
];

/** The top 5 (token, probability) of each row of `[masks, vocab]` logits. */
function topFive(logits: Float32Array, vocab: number): Prediction[][] {
  return Array.from({ length: logits.length / vocab }, (_, mask) => {
    const row = logits.subarray(mask * vocab, (mask + 1) * vocab);
    let largest = -Infinity;
    for (const value of row) largest = Math.max(largest, value);
    let total = 0;
    const top: Prediction[] = [];
    row.forEach((value, token) => {
      const weight = Math.exp(value - largest);
      total += weight;
      if (top.length === 5 && weight <= top[4].score) return;
      const rank = top.findIndex((entry) => entry.score < weight);
      top.splice(rank === -1 ? top.length : rank, 0, { token, score: weight });
      if (top.length > 5) top.pop();
    });
    return top.map(({ token, score }) => ({ token, score: score / total }));
  });
}

describe("built graphs give Python's fill-mask answers on weights-only Hub repos", () => {
  for (const repo of safetensorsRepos) {
    it(repo, async () => {
      const folder = join(hubRepos, repo);
      const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as ModelConfig;
      const answers = JSON.parse(readFileSync(join(hubRepos, `${repo}.expected.json`), 'utf8')) as PipelineAnswers;
      // The graph fillmask runs: the vocabulary projection at the mask rows only.
      const prepared = prepareFillMaskGraphs(buildMaskedLmGraph(config, readSafetensorsFolder(folder), { model: repo }));
      expect(prepared.single.positionsInput).toBe('fillmask_mask_positions');
      const session = await ort.InferenceSession.create(prepared.single.model!);
      try {
        for (const pipelineCase of answers.cases) {
          const ids = pipelineCase.input_ids;
          const dims = [1, ids.length];
          const feeds: Record<string, ort.Tensor> = {
            input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
            attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
            token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
            fillmask_mask_positions: new ort.Tensor(
              'int64',
              BigInt64Array.from(
                ids.flatMap((id, position) => (id === answers.mask_token_id ? [position] : [])),
                BigInt,
              ),
            ),
          };
          const { logits } = await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]])));
          const expected = pipelineCase.result_float32_upcast ?? pipelineCase.result;
          const perMask = (Array.isArray(expected[0]) ? expected : [expected]) as Prediction[][];
          const actual = topFive(logits.data as Float32Array, logits.dims[1]);
          expect(
            actual.map((predictions) => predictions.map(({ token }) => token)),
            `${repo} ${pipelineCase.id}`,
          ).toEqual(perMask.map((predictions) => predictions.map(({ token }) => token)));
          for (const [mask, predictions] of perMask.entries()) {
            for (const [rank, { score }] of predictions.entries()) {
              expect(Math.abs(actual[mask][rank].score - score), `${repo} ${pipelineCase.id}`).toBeLessThan(1e-5);
            }
          }
        }
      } finally {
        await session.release();
      }
    });
  }

  it('unsupported-arch: a big_bird model is refused, naming its model_type', () => {
    const folder = join(hubRepos, 'unsupported-arch');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as ModelConfig;
    expect(() => buildMaskedLmGraph(config, readSafetensorsFolder(folder), { model: 'unsupported-arch' })).toThrow(UnsupportedModelError);
    expect(() => buildMaskedLmGraph(config, readSafetensorsFolder(folder))).toThrow(/model_type "big_bird"/);
  });
});
