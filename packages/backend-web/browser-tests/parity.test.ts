import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { FillOptions, MaskPredictions } from '@fillmask/core';
import { fixtureModels, isReplayable, loadReference, type FixtureModel } from '@fillmask/fixtures';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { harnessValue, openHarness } from './harness-page.test-helper.js';
import {
  disposeNodeFillMasks,
  expectSamePredictions,
  largestScoreDifference,
  nodeFillMask,
  sameArithmeticMode,
  type NodeGraphMode,
} from './node-reference.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

/** Against the Node run of the page's arithmetic (see sameArithmeticMode): only float rounding may differ (measured: below 1e-6). */
const tolerance = 1e-4;
/**
 * Against the Node backend's defaults, whose native-only fused kernel for q8 matrix products rounds
 * activations differently (see NodeGraphMode): measured up to 8.8e-4 on two tiny-bert-cased-pt inputs.
 */
const defaultsTolerance = { fp32: 1e-4, q8: 1e-3 } as const;

let server: TestServer;
let chromium: ChromiumSession;
let page: Page;
const differences: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ app: inject('harnessDist') });
  chromium = await launchChromium();
  page = await chromium.newPage();
  await openHarness(page, server.url);
});

afterAll(async () => {
  if (differences.length > 0) console.info(`largest score differences, Chromium (wasm) vs Node:\n${differences.join('\n')}`);
  await chromium?.close();
  await server?.close();
  await disposeNodeFillMasks();
});

/** One input per call, in Node, in a given graph mode. */
async function nodeSingleCalls(
  model: FixtureModel,
  dtype: 'fp32' | 'q8',
  mode: NodeGraphMode,
  inputs: string[],
  options: FillOptions,
): Promise<MaskPredictions[][]> {
  const node = await nodeFillMask(model, dtype, mode);
  const results: MaskPredictions[][] = [];
  for (const input of inputs) results.push(await node.fill(input, options));
  return results;
}

for (const model of fixtureModels) {
  for (const dtype of ['fp32', 'q8'] as const) {
    describe(`in Chromium, the Node backend's results: ${model} ${dtype}`, () => {
      const reference = loadReference(model, dtype);
      const mask = reference.mask_token;
      const singleMask = reference.cases
        .filter((entry) => isReplayable(entry) && entry.mask_count === 1 && entry.result)
        .map((entry) => entry.input);
      const inputs = [...singleMask, `The ${mask} sat on the ${mask} near the ${mask}.`, `${mask} and ${mask}.`];
      const id = `${model}-${dtype}`;
      const sameArithmetic = sameArithmeticMode(dtype);
      const label = (what: string, mode: NodeGraphMode) => `${id} ${what} vs Node (${mode})`;

      beforeAll(async () => {
        const opened = await harnessValue(page, 'open', id, { model: `/models/${model}/`, dtype });
        // The graph projects only the mask rows, as the Node backend's does.
        expect(opened.runtime?.maskRowsOnly).toBe(true);
      });
      afterAll(async () => {
        await harnessValue(page, 'dispose', id);
      });

      it('fills every reference input and several multi-mask inputs, one call each', async () => {
        expect(singleMask.length).toBeGreaterThanOrEqual(18);
        const web: MaskPredictions[][] = [];
        for (const input of inputs) web.push((await harnessValue(page, 'fill', id, input, { topK: 8 })) as MaskPredictions[]);
        expect(web.slice(-2).map((result) => result.length)).toEqual([3, 2]);

        const same = await nodeSingleCalls(model, dtype, sameArithmetic, inputs, { topK: 8 });
        expectSamePredictions(web, same, tolerance, label('single calls', sameArithmetic));
        const defaults = await nodeSingleCalls(model, dtype, 'defaults', inputs, { topK: 8 });
        expectSamePredictions(web, defaults, defaultsTolerance[dtype], label('single calls', 'defaults'));
        differences.push(
          `${id}: ${largestScoreDifference(web, same).toExponential(1)} (Node ${sameArithmetic}), ${largestScoreDifference(web, defaults).toExponential(1)} (Node defaults)`,
        );
      });

      it('fills them all as one batched call', async () => {
        const web = (await harnessValue(page, 'fill', id, inputs)) as MaskPredictions[][];
        expectSamePredictions(
          web,
          await (await nodeFillMask(model, dtype, sameArithmetic)).fill(inputs),
          tolerance,
          label('batch', sameArithmetic),
        );
        expectSamePredictions(
          web,
          await (await nodeFillMask(model, dtype, 'defaults')).fill(inputs),
          defaultsTolerance[dtype],
          label('batch', 'defaults'),
        );
      });

      it('gives the same results with the graph as exported (logits at every position)', async () => {
        const opened = await harnessValue(page, 'open', `${id}-as-exported`, {
          model: `/models/${model}/`,
          dtype,
          backendOptions: { maskRowsOnly: false },
        });
        expect(opened.runtime?.maskRowsOnly).toBe(false);
        const rewritten = (await harnessValue(page, 'fill', id, inputs)) as MaskPredictions[][];
        const asExported = (await harnessValue(page, 'fill', `${id}-as-exported`, inputs)) as MaskPredictions[][];
        expectSamePredictions(asExported, rewritten, 1e-6, `${id} graph as exported`);
        await harnessValue(page, 'dispose', `${id}-as-exported`);
      });

      it('ranks targets on several masks, duplicates removed, an unknown word replaced by its first sub-token', async () => {
        const text = `Paris is the ${mask} of ${mask}.`;
        const [wide] = await (await nodeFillMask(model, dtype)).fill(text, { topK: 80 });
        const targets = [wide[10].token_str, wide[30].token_str, wide[60].token_str, wide[30].token_str, 'Supercalifragilistic'];
        const web = (await harnessValue(page, 'fill', id, [text], { targets, topK: 10 })) as MaskPredictions[][];
        const expected = await (await nodeFillMask(model, dtype)).fill([text], { targets, topK: 10 });
        expect(expected[0]).toHaveLength(2);
        expect(expected[0][0].length).toBeGreaterThanOrEqual(3);
        expectSamePredictions(web, expected, tolerance, label('targets', sameArithmetic));
      });
    });
  }
}

describe('a batch whose logits at every position would not fit in WebAssembly memory at once', () => {
  it('runs (a few rows per run) and gives the results of one call per input', async () => {
    // 32 inputs of ~480 tokens on a 50,265-token vocabulary: 3.1 GB of logits in one run, which
    // onnxruntime-web cannot allocate (std::bad_alloc) within WebAssembly's 4 GiB.
    const inputs = Array.from({ length: 32 }, (_, index) => `<mask> ${'alpha beta gamma delta epsilon '.repeat(68)} ${index}`);
    // The graph as exported: the rewritten one returns only the mask rows and never comes near the limit.
    await harnessValue(page, 'open', 'large-batch', {
      model: '/models/tiny-roberta/',
      batchSize: 32,
      backendOptions: { maskRowsOnly: false },
    });
    const batched = (await harnessValue(page, 'fill', 'large-batch', inputs, { topK: 3 })) as MaskPredictions[][];
    const single: MaskPredictions[][] = [];
    for (const input of [inputs[0], inputs[17], inputs[31]])
      single.push((await harnessValue(page, 'fill', 'large-batch', input, { topK: 3 })) as MaskPredictions[]);
    expectSamePredictions([batched[0], batched[17], batched[31]], single, 1e-6, 'large batch');
    await harnessValue(page, 'dispose', 'large-batch');
  });
});
