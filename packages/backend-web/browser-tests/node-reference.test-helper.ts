import { createFillMask, type FillMask, type MaskPredictions, type ModelDtype } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { createWebBackend } from '@fillmask/backend-web';
import { fixtureModelPath, type FixtureModel } from '@fillmask/fixtures';
import { expect } from 'vitest';

const opened = new Map<string, Promise<FillMask>>();

/**
 * How the Node backend runs the graph. `defaults`: as createOnnxBackend() does, with every graph
 * optimization, including native-only fused kernels. `as-written`: `graphOptimizationLevel: 'basic'`,
 * the graph's own operators, which is what onnxruntime-web runs: its WebAssembly build has no such
 * fused kernels. On a VNNI CPU, q8 scores of the fused kernel that replaces DynamicQuantizeLinear +
 * MatMulInteger moved by up to ~7e-4 from WebAssembly's (tiny-bert-cased-pt: the emoji and
 * leading-spaces inputs), and `as-written` agreed with WebAssembly within 1e-6. `wasm`: not the
 * onnx backend but this package's own, on onnxruntime-web's WebAssembly build, in Node: the page's
 * arithmetic, for where no native run reproduces it (see sameArithmeticMode).
 */
export type NodeGraphMode = 'defaults' | 'as-written' | 'wasm';

/**
 * The Node run that computes what onnxruntime-web computes in the page, on this machine: agreeing
 * within float rounding (measured below 1e-6), so compared within 1e-4. fp32: `as-written`. q8:
 * `wasm`, since no native run reproduces WebAssembly's int8 arithmetic on every x64 CPU. Where
 * onnxruntime-node's fast int8 kernel saturates (`fastInt8KernelSaturates`: x64 without VNNI)
 * `as-written` moved q8 scores by up to 5e-3, and with the two int8 fusions switched off by name
 * (`optimization.disable_specified_optimizers`) still by 8.8e-4 on the emoji input. On an AVX-512
 * VNNI EPYC, `as-written` agreed with WebAssembly within 1e-6 on the fixtures but moved
 * model-mini-en's q8 scores by 6.7e-4 on the example app's sentences, where the fused default agreed
 * within 3e-8 (and the other way round on tiny-bert-cased-pt). The parity suite still compares the
 * page with the native `defaults`, within their own tolerance.
 */
export function sameArithmeticMode(dtype: ModelDtype): NodeGraphMode {
  return dtype === 'fp32' ? 'as-written' : 'wasm';
}

/** The Node backend (onnxruntime-node) on a fixture model: the answers the browser must give. */
export function nodeFillMask(model: FixtureModel, dtype: ModelDtype, mode: NodeGraphMode = sameArithmeticMode(dtype)): Promise<FillMask> {
  const key = `${model}/${dtype}/${mode}`;
  let fillMask = opened.get(key);
  if (fillMask === undefined) {
    const backend =
      mode === 'wasm'
        ? createWebBackend({ numThreads: 1 })
        : createOnnxBackend(mode === 'as-written' ? { sessionOptions: { graphOptimizationLevel: 'basic' } } : {});
    fillMask = createFillMask({ model: fixtureModelPath(model), dtype, backend, onWarning: () => undefined });
    opened.set(key, fillMask);
  }
  return fillMask;
}

export async function disposeNodeFillMasks(): Promise<void> {
  await Promise.all([...opened.values()].map(async (fillMask) => (await fillMask).dispose()));
  opened.clear();
}

/**
 * Same candidates in the same order (ids, strings, sequences) and scores within `tolerance`, per
 * input, per mask.
 */
export function expectSamePredictions(actual: MaskPredictions[][], expected: MaskPredictions[][], tolerance: number, label: string): void {
  expect(actual.length, label).toBe(expected.length);
  actual.forEach((masks, inputIndex) => {
    expect(masks.length, `${label} input ${inputIndex}`).toBe(expected[inputIndex].length);
    masks.forEach((predictions, maskIndex) => {
      const where = `${label} input ${inputIndex} mask ${maskIndex}`;
      const strip = (list: MaskPredictions) => list.map(({ token, token_str, sequence }) => ({ token, token_str, sequence }));
      expect(strip(predictions), where).toEqual(strip(expected[inputIndex][maskIndex]));
      predictions.forEach((prediction, rank) => {
        expect(Math.abs(prediction.score - expected[inputIndex][maskIndex][rank].score), `${where} rank ${rank}`).toBeLessThanOrEqual(
          tolerance,
        );
      });
    });
  });
}

/** The largest score difference between two results of the same shape. */
export function largestScoreDifference(actual: MaskPredictions[][], expected: MaskPredictions[][]): number {
  let largest = 0;
  for (const [inputIndex, masks] of actual.entries()) {
    for (const [maskIndex, predictions] of masks.entries()) {
      for (const [rank, prediction] of predictions.entries()) {
        largest = Math.max(largest, Math.abs(prediction.score - expected[inputIndex][maskIndex][rank].score));
      }
    }
  }
  return largest;
}
