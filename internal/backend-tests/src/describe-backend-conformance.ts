import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, DisposedError, MissingMaskError, type FillMask, type FillMaskBackendV1, type ModelDtype } from '@fillmask/core';
import { fixtureModelPath, fixtureModels, isReplayable, loadReference } from '@fillmask/fixtures';

export interface BackendConformanceOptions {
  /** A fresh backend instance; called once per model. */
  readonly createBackend: () => FillMaskBackendV1;
  readonly dtypes?: readonly ModelDtype[];
  /** Largest score difference accepted against transformers.js's answers. */
  readonly scoreTolerance: number;
}

/**
 * What every backend must do, on every fixture model: the same ranked tokens as the reference for
 * one mask, one list per mask, batches equal to single calls, concurrent calls equal to sequential
 * ones, typed errors, and nothing after dispose.
 */
export function describeBackendConformance(name: string, options: BackendConformanceOptions): void {
  for (const dtype of options.dtypes ?? (['fp32', 'q8'] as const)) {
    for (const model of fixtureModels) {
      describe(`${name} backend conformance: ${model} ${dtype}`, () => {
        const reference = loadReference(model, dtype);
        const cases = reference.cases.filter(isReplayable);
        const mask = reference.mask_token;
        let fillMask: FillMask;

        beforeAll(async () => {
          fillMask = await createFillMask({ model: fixtureModelPath(model), dtype, backend: options.createBackend() });
        });
        afterAll(() => fillMask?.dispose());

        it('ranks the same tokens as transformers.js for every single-mask input', async () => {
          for (const referenceCase of cases.filter((entry) => entry.mask_count === 1 && entry.result)) {
            const [predictions] = await fillMask.fill(referenceCase.input);
            expect(predictions.map((prediction) => prediction.token), referenceCase.id).toEqual(referenceCase.result!.map((entry) => entry.token));
            predictions.forEach((prediction, rank) =>
              expect(Math.abs(prediction.score - referenceCase.result![rank].score), referenceCase.id).toBeLessThanOrEqual(options.scoreTolerance),
            );
          }
        });

        it('returns one ranked list per mask', async () => {
          const result = await fillMask.fill(`First ${mask} then ${mask} and ${mask}.`, { topK: 2 });
          expect(result).toHaveLength(3);
          for (const predictions of result) expect(predictions).toHaveLength(2);
        });

        it('gives a batch the same results as one call per input', async () => {
          const inputs = cases.filter((entry) => entry.result).map((entry) => entry.input);
          const batched = await fillMask.fill(inputs);
          const single = await Promise.all(inputs.map((input) => fillMask.fill(input)));
          expectSameResults(batched, single);
        });

        it('gives concurrent calls the same results as sequential ones', async () => {
          const inputs = cases.filter((entry) => entry.result).slice(0, 6).map((entry) => entry.input);
          const sequential = [];
          for (const input of inputs) sequential.push(await fillMask.fill(input));
          const concurrent = await Promise.all(inputs.map((input) => fillMask.fill(input)));
          expectSameResults(concurrent, sequential);
        });

        it('rejects an input without a mask with MissingMaskError', async () => {
          await expect(fillMask.fill('There is no mask token here.')).rejects.toSatisfy(MissingMaskError.isInstance);
        });
      });
    }
  }

  describe(`${name} backend conformance: dispose`, () => {
    it('rejects calls after dispose with DisposedError', async () => {
      const fillMask = await createFillMask({ model: fixtureModelPath('tiny-bert-uncased'), backend: options.createBackend() });
      await fillMask.dispose();
      await expect(fillMask.fill('a [MASK] b')).rejects.toSatisfy(DisposedError.isInstance);
      await fillMask.dispose();
    });
  });
}

/** Same tokens, strings and order; scores equal within float32 noise (padding can change the last bits). */
function expectSameResults(actual: unknown[], expected: unknown[]): void {
  const scores = (value: unknown): number[] => JSON.stringify(value).match(/"score":[^,}]+/g)!.map((entry) => Number(entry.slice(8)));
  const withoutScores = (value: unknown) => JSON.stringify(value).replace(/"score":[^,}]+/g, '"score":0');
  expect(withoutScores(actual)).toEqual(withoutScores(expected));
  const expectedScores = scores(expected);
  scores(actual).forEach((score, index) => expect(Math.abs(score - expectedScores[index])).toBeLessThan(1e-6));
}
