import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createFillMask,
  InputTooLongError,
  loadTokenizer,
  type FillMask,
  type FillMaskTokenizer,
  type FillMaskWarning,
} from '@fillmask/core';
import { fixtureModelPath, fixtureModels, isReplayable, loadReference } from '@fillmask/fixtures';
import { createOnnxBackend } from './create-onnx-backend.js';
import { directProbabilities, rankIds } from './onnx-oracle.test-helper.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const tolerance = { fp32: 1e-5, q8: 1e-5 } as const;

/** Every replayable single-mask reference input: the same ids, token_str and sequence, scores within the tolerance. */
async function expectSingleMaskParity(
  fillMask: FillMask,
  reference: ReturnType<typeof loadReference>,
  dtype: 'fp32' | 'q8',
): Promise<void> {
  const singleMask = reference.cases.filter((entry) => isReplayable(entry) && entry.mask_count === 1 && entry.result);
  expect(singleMask.length).toBeGreaterThanOrEqual(18);
  for (const referenceCase of singleMask) {
    const [predictions] = await fillMask.fill(referenceCase.input);
    expect(
      predictions.map(({ token, token_str, sequence }) => ({ token, token_str, sequence })),
      referenceCase.id,
    ).toEqual(referenceCase.result!.map(({ token, token_str, sequence }) => ({ token, token_str, sequence })));
    for (const [rank, prediction] of predictions.entries()) {
      expect(Math.abs(prediction.score - referenceCase.result![rank].score), referenceCase.id).toBeLessThanOrEqual(tolerance[dtype]);
    }
  }
}

for (const dtype of ['fp32', 'q8'] as const) {
  for (const model of fixtureModels) {
    describe(`parity with transformers.js and with the raw graph: ${model} ${dtype}`, () => {
      const folder = fixtureModelPath(model);
      const reference = loadReference(model, dtype);
      const mask = reference.mask_token;
      const warnings: FillMaskWarning[] = [];
      let fillMask: FillMask;
      let tokenizer: FillMaskTokenizer;

      beforeAll(async () => {
        fillMask = await createFillMask({
          model: folder,
          dtype,
          backend: createOnnxBackend(),
          onWarning: (warning) => warnings.push(warning),
        });
        const files = { location: folder, read: async (path: string) => readFileSync(join(folder, path)), exists: async () => true };
        tokenizer = await loadTokenizer(files, JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')));
      });
      afterAll(() => fillMask?.dispose());

      it('tokenizes every reference input to the same ids', () => {
        for (const referenceCase of reference.cases.filter(isReplayable)) {
          expect(tokenizer.encode(referenceCase.input).ids, referenceCase.id).toEqual(referenceCase.model_input_ids);
        }
      });

      it('matches transformers.js on every single-mask input: ids, token_str, sequence, scores', () =>
        expectSingleMaskParity(fillMask, reference, dtype));

      it('fills every mask of a multi-mask input from its own distribution', async () => {
        const text = `The ${mask} sat on the ${mask} near the ${mask}.`;
        const ids = tokenizer.encode(text).ids;
        const positions = ids.flatMap((id, position) => (id === tokenizer.maskTokenId ? [position] : []));
        const direct = await directProbabilities(folder, dtype, ids, positions);
        const result = await fillMask.fill(text, { topK: 7 });
        expect(result).toHaveLength(3);
        result.forEach((predictions, maskIndex) => {
          expect(predictions.map((prediction) => prediction.token)).toEqual(rankIds(direct[maskIndex]).slice(0, 7));
          for (const prediction of predictions) expect(Math.abs(prediction.score - direct[maskIndex][prediction.token])).toBeLessThan(1e-6);
          for (const prediction of predictions) {
            // The filled mask shows the token, the other two stay masks, and no framing token leaks.
            expect(prediction.sequence.split(mask)).toHaveLength(3);
            expect(prediction.sequence).not.toMatch(/\[CLS\]|\[SEP\]|<s>|<\/s>|<pad>|\[PAD\]/);
          }
        });
      });

      it('scores targets with their full-vocabulary probability, deduplicated, topK capped', async () => {
        const text = `Paris is the ${mask} of France.`;
        const ids = tokenizer.encode(text).ids;
        const [probabilities] = await directProbabilities(folder, dtype, ids, [ids.indexOf(tokenizer.maskTokenId)]);
        const vocabularyTargets = rankIds(probabilities)
          .slice(100, 104)
          .map((id) => tokenizer.idToToken(id)!);
        const targets = [...vocabularyTargets, vocabularyTargets[0]];
        const [predictions] = await fillMask.fill(text, { targets, topK: 10 });
        const targetIds = vocabularyTargets.map((token) => tokenizer.tokenToId(token)!);
        expect(predictions.map((prediction) => prediction.token)).toEqual(rankIds(probabilities, targetIds));
        for (const prediction of predictions) expect(Math.abs(prediction.score - probabilities[prediction.token])).toBeLessThan(1e-6);
      });

      it('replaces an out-of-vocabulary target by its first sub-token, with a warning', async () => {
        warnings.length = 0;
        const target = 'Supercalifragilisticexpialidocious';
        const firstSubToken = tokenizer.encode(target, { addSpecialTokens: false }).ids[0];
        const [predictions] = await fillMask.fill(`A ${mask} word.`, { targets: [target] });
        expect(predictions.map((prediction) => prediction.token)).toEqual([firstSubToken]);
        expect(warnings.map((warning) => warning.code)).toEqual(['target-replaced']);
      });

      it('rejects an input longer than the model by default, naming length and limit', async () => {
        const text = `${mask} ${'alpha beta gamma delta epsilon '.repeat(150)}`;
        const error = await fillMask.fill(text).catch((caught: unknown) => caught);
        expect(InputTooLongError.isInstance(error)).toBe(true);
        expect((error as InputTooLongError).limit).toBe(reference.model_max_length);
        expect((error as InputTooLongError).message).toContain(`at most ${reference.model_max_length}`);
      });

      it('truncates around the masks on request, keeping the framing tokens', async () => {
        const filler = 'alpha beta gamma delta epsilon '.repeat(150);
        for (const text of [`${mask} ${filler}`, `${filler} ${mask}`, `${filler} middle ${mask} here ${filler}`]) {
          const [predictions] = await fillMask.fill(text, { truncation: true, topK: 3 });
          const full = tokenizer.encode(text).ids;
          // Every fixture frames a text as [CLS] text [SEP] (or <s> text </s>).
          expect(tokenizer.encode('').ids).toHaveLength(2);
          expect(full.length).toBeGreaterThan(reference.model_max_length);
          const window = windowOf(full, reference.model_max_length, tokenizer.maskTokenId);
          expect(window.length).toBe(reference.model_max_length);
          const [direct] = await directProbabilities(folder, dtype, window, [window.indexOf(tokenizer.maskTokenId)]);
          expect(predictions.map((prediction) => prediction.token)).toEqual(rankIds(direct).slice(0, 3));
        }
      });
    });
  }
}

/** The expected truncation window: both framing tokens kept, `limit` tokens in all, centred on the mask. */
function windowOf(full: readonly number[], limit: number, maskId: number): number[] {
  const body = full.slice(1, -1);
  const size = limit - 2;
  const maskAt = body.indexOf(maskId);
  const start = Math.min(Math.max(Math.round(maskAt + 0.5 - size / 2), 0), body.length - size);
  return [full[0], ...body.slice(start, start + size), full[full.length - 1]];
}

// The default converts the products at the mask rows to convolutions; the other settings add the same products in another order: the answers must not move beyond the tolerance.
for (const pointwiseConvolutions of [false, 'everywhere'] as const) {
  for (const model of fixtureModels) {
    it(`parity with transformers.js with pointwiseConvolutions: ${String(pointwiseConvolutions)}: ${model} fp32, every single-mask input`, async () => {
      const fillMask = await createFillMask({
        model: fixtureModelPath(model),
        backend: createOnnxBackend({ pointwiseConvolutions }),
        onWarning: () => undefined,
      });
      try {
        await expectSingleMaskParity(fillMask, loadReference(model, 'fp32'), 'fp32');
      } finally {
        await fillMask.dispose();
      }
    });
  }
}
