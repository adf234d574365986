import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ElementType, prepareFillMaskGraphs } from '@fillmask/onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { weightProducts } from './graph-products.js';
import { latencyFloorMs } from './latency-floor.js';

const ceilings = { gemmGflops: 100, weightStreamingGBps: 20 };
const noAttention = { layers: 0, hidden: 768 };
const fp32 = ElementType.float;
/** The bound of one product by hand: the longer of its arithmetic at 100 GFLOP/s and reading its fp32 weights at 20 GB/s, in ms. */
const bound = (rows: number, values: number) => Math.max((2 * rows * values) / 100e6, (4 * values) / 20e6);

function fixture(file: string): Uint8Array {
  return readFileSync(join(fixtureModelPath('tiny-roberta'), 'onnx', file));
}

describe('latencyFloorMs', () => {
  it('charges a product at one row for reading its weights, which takes longer than its arithmetic', () => {
    // 768 × 50,265 fp32 values: 154 MB at 20 GB/s = 7.72 ms; 77 MFLOP at 100 GFLOP/s = 0.77 ms.
    expect(latencyFloorMs([{ values: 768 * 50_265, atMasks: true, elementType: fp32 }], noAttention, 18, ceilings)).toBeCloseTo(
      (4 * 768 * 50_265) / 20e6,
      6,
    );
  });

  it('charges a product at every row for its arithmetic once that takes longer than reading', () => {
    // 768 × 3,072 at 18 rows: 84.9 MFLOP = 0.85 ms, against 9.4 MB = 0.47 ms of reading.
    expect(latencyFloorMs([{ values: 768 * 3_072, atMasks: false, elementType: fp32 }], noAttention, 18, ceilings)).toBeCloseTo(
      (2 * 18 * 768 * 3_072) / 100e6,
      6,
    );
  });

  it("adds the products' bounds and the attention's arithmetic", () => {
    const products = [
      { values: 1_000, atMasks: false, elementType: fp32 },
      { values: 2_000, atMasks: true, elementType: fp32 },
    ];
    const attention = (6 * 2 * 2 * 10 * 10 * 768) / 100e6;
    expect(latencyFloorMs(products, { layers: 6, hidden: 768 }, 10, ceilings)).toBeCloseTo(
      attention + bound(10, 1_000) + bound(1, 2_000),
      9,
    );
  });

  it('counts the products at the masks once per mask', () => {
    const products = [{ values: 768 * 768, atMasks: true, elementType: fp32 }];
    expect(latencyFloorMs(products, noAttention, 18, ceilings, 16)).toBeCloseTo(bound(16, 768 * 768), 9);
  });

  it("gives the bound of fillmask's rewrite of a fixture from its products, counted by hand", () => {
    const rewritten = latencyFloorMs(
      weightProducts(prepareFillMaskGraphs(fixture('model.onnx')).single.model!),
      { layers: 2, hidden: 32 },
      18,
      ceilings,
    );
    // 2 layers of hidden 32, intermediate 64: the first layer and the last one's Q, K and V at every row; its output
    // block, the head's transform and the 32 × 50,265 projection at the mask.
    const everyRow = [32 * 32, 32 * 32, 32 * 32, 32 * 32, 32 * 64, 64 * 32, 32 * 32, 32 * 32, 32 * 32];
    const atMask = [32 * 32, 32 * 64, 64 * 32, 32 * 32, 32 * 50265];
    const attention = (2 * 18 * 2 * 2 * 18 * 32) / 100e6;
    const expected =
      attention + everyRow.reduce((sum, values) => sum + bound(18, values), 0) + atMask.reduce((sum, values) => sum + bound(1, values), 0);
    expect(rewritten).toBeCloseTo(expected, 9);
    expect(rewritten!).toBeLessThan(latencyFloorMs(weightProducts(fixture('model.onnx')), { layers: 2, hidden: 32 }, 18, ceilings)!);
  });

  it('gives no bound for a graph with int8 weights, whose products have other ceilings', () => {
    expect(latencyFloorMs(weightProducts(fixture('model_quantized.onnx')), { layers: 2, hidden: 32 }, 18, ceilings)).toBeUndefined();
    expect(latencyFloorMs([{ values: 1_000, atMasks: false, elementType: undefined }], noAttention, 18, ceilings)).toBeUndefined();
  });
});
