import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareFillMaskGraphs } from '@fillmask/core/graph';
import { fixtureModelPath } from '@fillmask/fixtures';
import { weightProducts } from './graph-products.js';
import { latencyFloorMs } from './latency-floor.js';

const ceilings = { gemmGflops: 100, weightStreamingGBps: 20 };
const noAttention = { layers: 0, hidden: 768 };

describe('latencyFloorMs', () => {
  it('charges a product at one row for reading its weights, which takes longer than its arithmetic', () => {
    // 768 × 50,265 fp32 values: 154 MB at 20 GB/s = 7.72 ms; 77 MFLOP at 100 GFLOP/s = 0.77 ms.
    expect(latencyFloorMs([{ values: 768 * 50_265, atMasks: true }], noAttention, 18, ceilings)).toBeCloseTo((4 * 768 * 50_265) / 20e6, 6);
  });

  it('charges a product at every row for its arithmetic once that takes longer than reading', () => {
    // 768 × 3,072 at 18 rows: 84.9 MFLOP = 0.85 ms, against 9.4 MB = 0.47 ms of reading.
    expect(latencyFloorMs([{ values: 768 * 3_072, atMasks: false }], noAttention, 18, ceilings)).toBeCloseTo((2 * 18 * 768 * 3_072) / 100e6, 6);
  });

  it("adds the products' bounds and the attention's arithmetic", () => {
    const products = [
      { values: 1_000, atMasks: false },
      { values: 2_000, atMasks: true },
    ];
    const attention = (6 * 2 * 2 * 10 * 10 * 768) / 100e6;
    const first = Math.max((2 * 10 * 1_000) / 100e6, 4_000 / 20e6);
    const second = Math.max((2 * 2_000) / 100e6, 8_000 / 20e6);
    expect(latencyFloorMs(products, { layers: 6, hidden: 768 }, 10, ceilings)).toBeCloseTo(attention + first + second, 9);
  });

  it("is lower for fillmask's rewrite of a fixture than for the graph as exported, which projects every position", () => {
    const model = readFileSync(join(fixtureModelPath('tiny-roberta'), 'onnx', 'model.onnx'));
    const shape = { layers: 2, hidden: 32 };
    const exported = latencyFloorMs(weightProducts(model), shape, 18, ceilings);
    const rewritten = latencyFloorMs(weightProducts(prepareFillMaskGraphs(model).single.model!), shape, 18, ceilings);
    expect(rewritten).toBeGreaterThan(0);
    expect(rewritten).toBeLessThan(exported);
  });
});
