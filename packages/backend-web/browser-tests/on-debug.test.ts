import { afterAll, describe, expect, it } from 'vitest';
import type { MaskPredictions } from '@fillmask/core';
import { debugLine } from './debug-lines.test-helper.js';
import { harnessValue } from './harness-page.test-helper.js';
import { disposeNodeFillMasks, expectSamePredictions, nodeFillMask } from './node-reference.test-helper.js';
import { useHarnessPage } from './harness-session.test-helper.js';

const page = useHarnessPage();

afterAll(async () => {
  await disposeNodeFillMasks();
});

describe('createWebBackend({ onDebug }) in the page', () => {
  it('gets the rewrite note when an fp32 model loads', async () => {
    await harnessValue(page(), 'open', 'fp32', { model: '/models/tiny-roberta/', debug: true });
    const lines = await harnessValue(page(), 'takeDebugLines', 'fp32');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(debugLine.rewritten('onnx/model.onnx'));
    await harnessValue(page(), 'fill', 'fp32', ['A <mask>.', 'The <mask> sat on the mat.']);
    expect(await harnessValue(page(), 'takeDebugLines', 'fp32')).toEqual([]);
    await harnessValue(page(), 'dispose', 'fp32');
  });

  it('q8: gets the notes at load, then the batch variant note at the first batch of several inputs', async () => {
    const modelFile = 'onnx/model_quantized.onnx';
    await harnessValue(page(), 'open', 'q8', { model: '/models/tiny-bert-cased-pt/', dtype: 'q8', debug: true });
    const atLoad = await harnessValue(page(), 'takeDebugLines', 'q8');
    expect(atLoad).toHaveLength(2);
    expect(atLoad[0]).toMatch(debugLine.rewritten(modelFile));
    expect(atLoad[1]).toMatch(debugLine.batchesWillUseVariant(modelFile));

    // One input runs the graph as exported: no variant yet.
    await harnessValue(page(), 'fill', 'q8', 'Paris is the [MASK] of France.');
    expect(await harnessValue(page(), 'takeDebugLines', 'q8')).toEqual([]);

    const inputs = [
      'Paris is the [MASK] of France.',
      'A [MASK].',
      'The [MASK] sat on the mat near the door of the old house, and then [MASK].',
    ];
    const web = (await harnessValue(page(), 'fill', 'q8', inputs)) as MaskPredictions[][];
    const atBatch = await harnessValue(page(), 'takeDebugLines', 'q8');
    expect(atBatch).toHaveLength(1);
    expect(atBatch[0]).toMatch(debugLine.variantBuilt(modelFile));
    // The batch ran on that variant and gives the Node run's answers (see parity.test.ts for the tolerance).
    expectSamePredictions(web, await (await nodeFillMask('tiny-bert-cased-pt', 'q8')).fill(inputs), 1e-4, 'q8 batch with onDebug');

    // Built once.
    await harnessValue(page(), 'fill', 'q8', inputs.slice(1));
    expect(await harnessValue(page(), 'takeDebugLines', 'q8')).toEqual([]);
    await harnessValue(page(), 'dispose', 'q8');
  });
});
