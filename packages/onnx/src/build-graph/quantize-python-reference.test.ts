import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { buildMaskedLmGraph } from './build-masked-lm-graph.js';
import { fixtureArchitectures, readFixtureCheckpoint } from './fixture-checkpoints.test-helper.js';

/**
 * The first step of regenerating `__fixtures__/q8/`: writes the fp32 graph `buildMaskedLmGraph` makes
 * of each fixture checkpoint, as `<dir>/<architecture>/model.onnx`, for `__fixtures__/q8/make_q8_reference.py`
 * to quantize with onnxruntime's quantizer. Runs only when asked:
 *
 *   FILLMASK_WRITE_FP32_GRAPHS=/tmp/fp32-graphs npx vitest run packages/onnx/src/build-graph/quantize-python-reference.test.ts
 */
const folder = process.env.FILLMASK_WRITE_FP32_GRAPHS;

describe.runIf(folder)('the fp32 graphs for the Python reference', () => {
  it(`are written to ${folder}`, () => {
    for (const architecture of fixtureArchitectures) {
      const { config, weights } = readFixtureCheckpoint(architecture);
      mkdirSync(join(folder!, architecture), { recursive: true });
      writeFileSync(join(folder!, architecture, 'model.onnx'), buildMaskedLmGraph(config, weights));
    }
  });
});
