import { describe, expect, it } from 'vitest';
import { createScorer, loadTokenizer, openModel } from '@fillmask/core';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { createOnnxBackend } from './create-onnx-backend.js';
import { directProbabilities } from './onnx-oracle.test-helper.js';

// Pseudo-log-likelihood scoring on real graphs: each token's log-probability, masked alone, against
// the fixture graph run directly on that copy (batch of one, no padding). Core's scorer test covers
// modes, batching and errors with a model double; this one checks the numbers a real model gives.

const texts = ["The unbelievable tokenization works, doesn't it?", 'Paris is the capital of France.', 'A b.'];

async function expectedLogProbabilities(folder: string, dtype: 'fp32' | 'q8', text: string): Promise<number[]> {
  const files = await openModel(folder);
  const tokenizer = await loadTokenizer(files, JSON.parse(new TextDecoder().decode(await files.read('config.json'))));
  const ids = tokenizer.encode(text).ids;
  const scored = ids.map((_, position) => position).slice(1, -1);
  const results: number[] = [];
  for (const position of scored) {
    const masked = [...ids];
    masked[position] = tokenizer.maskTokenId;
    const [probabilities] = await directProbabilities(folder, dtype, masked, [position]);
    results.push(Math.log(probabilities[ids[position]]));
  }
  return results;
}

describe('createScorer on createOnnxBackend: PLL against the graph run copy by copy', () => {
  for (const model of fixtureModels) {
    for (const dtype of ['fp32', 'q8'] as const) {
      it(`${model} ${dtype}`, async () => {
        const folder = fixtureModelPath(model);
        const scorer = await createScorer({ model: folder, backend: createOnnxBackend(), dtype });
        try {
          const scores = await scorer.score(texts, { perToken: true });
          for (const [index, text] of texts.entries()) {
            const expected = await expectedLogProbabilities(folder, dtype, text);
            const actual = scores[index].perToken!.map((entry) => entry.logProbability);
            expect(actual.length).toBe(expected.length);
            for (const [slot, value] of actual.entries()) {
              expect(Math.abs(value - expected[slot]), `${text} #${slot}`).toBeLessThanOrEqual(
                1e-4 * Math.max(1, Math.abs(expected[slot])),
              );
            }
          }
        } finally {
          await scorer.dispose();
        }
      });
    }
  }
});
