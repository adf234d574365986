import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, DisposedError, MissingMaskError, type FillMask, type FillMaskBackendV1, type ModelDtype } from '@fillmask/core';
import { fixtureModelPath, fixtureModels, isReplayable, loadReference, type FixtureModel } from '@fillmask/fixtures';

/** The fixture a backend is created for. */
export interface ConformanceFixture {
  readonly model: FixtureModel;
  readonly dtype: ModelDtype;
  /** The fixture's folder, which the suite passes to createFillMask as `model`. */
  readonly path: string;
}

export interface BackendConformanceOptions {
  /**
   * A fresh backend instance; called once per model and dtype. A model backend can ignore the
   * fixture; a service backend points at something that serves it (e.g. a server it starts).
   */
  readonly createBackend: (fixture: ConformanceFixture) => FillMaskBackendV1 | Promise<FillMaskBackendV1>;
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
          const path = fixtureModelPath(model);
          fillMask = await createFillMask({ model: path, dtype, backend: await options.createBackend({ model, dtype, path }) });
        });
        afterAll(() => fillMask?.dispose());

        it('ranks the same tokens as transformers.js for every single-mask input', async () => {
          for (const referenceCase of cases.filter((entry) => entry.mask_count === 1 && entry.result)) {
            const [predictions] = await fillMask.fill(referenceCase.input);
            expect(
              predictions.map((prediction) => prediction.token),
              referenceCase.id,
            ).toEqual(referenceCase.result!.map((entry) => entry.token));
            for (const [rank, prediction] of predictions.entries()) {
              expect(Math.abs(prediction.score - referenceCase.result![rank].score), referenceCase.id).toBeLessThanOrEqual(
                options.scoreTolerance,
              );
            }
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
          const inputs = cases
            .filter((entry) => entry.result)
            .slice(0, 6)
            .map((entry) => entry.input);
          const sequential = [];
          for (const input of inputs) sequential.push(await fillMask.fill(input));
          const concurrent = await Promise.all(inputs.map((input) => fillMask.fill(input)));
          expectSameResults(concurrent, sequential);
        });

        it('rejects an input without a mask with MissingMaskError', async () => {
          await expect(fillMask.fill('There is no mask token here.')).rejects.toSatisfy(MissingMaskError.isInstance);
        });

        it('fillSettled gives an input without a mask its own error and fills the others', async () => {
          const inputs = cases
            .filter((entry) => entry.result)
            .slice(0, 2)
            .map((entry) => entry.input);
          const settled = await fillMask.fillSettled([inputs[0], 'There is no mask token here.', inputs[1]]);
          expect(settled.map((slot) => slot.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
          expect(MissingMaskError.isInstance((settled[1] as { reason: unknown }).reason)).toBe(true);
          expectSameResults(
            [settled[0], settled[2]].map((slot) => (slot as { value: unknown }).value),
            await Promise.all(inputs.map((input) => fillMask.fill(input))),
          );
        });
      });
    }
  }

  describe(`${name} backend conformance: dispose`, () => {
    it('rejects calls after dispose with DisposedError', async () => {
      const path = fixtureModelPath('tiny-bert-uncased');
      const fillMask = await createFillMask({
        model: path,
        backend: await options.createBackend({ model: 'tiny-bert-uncased', dtype: 'fp32', path }),
      });
      await fillMask.dispose();
      await expect(fillMask.fill('a [MASK] b')).rejects.toSatisfy(DisposedError.isInstance);
      await fillMask.dispose();
    });
  });
}

/** Same tokens, strings and order; scores equal within float32 noise (padding can change the last bits). */
function expectSameResults(actual: unknown[], expected: unknown[]): void {
  const scores = (value: unknown): number[] =>
    JSON.stringify(value)
      .match(/"score":[^,}]+/g)!
      .map((entry) => Number(entry.slice(8)));
  const withoutScores = (value: unknown) => JSON.stringify(value).replace(/"score":[^,}]+/g, '"score":0');
  expect(withoutScores(actual)).toEqual(withoutScores(expected));
  const expectedScores = scores(expected);
  for (const [index, score] of scores(actual).entries()) expect(Math.abs(score - expectedScores[index])).toBeLessThan(1e-6);
}
