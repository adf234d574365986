import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exportedGraphPath, type ExportedGraphVariant } from '@fillmask/fixtures';
import { countSequenceConvolutions } from './sequence-convolutions.js';
import { prepareFillMaskGraphs } from './prepare-fill-mask-graphs.js';

const graph = (variant: ExportedGraphVariant, file: string) => new Uint8Array(readFileSync(join(exportedGraphPath(variant), 'onnx', file)));

describe('countSequenceConvolutions', () => {
  it.each(['model.onnx', 'model_quantized.onnx'])("finds ConvBERT's two span-based convolutions per layer in %s", (file) => {
    // Two layers, each with the depthwise key convolution (kernel 9) of its span-based dynamic convolution.
    expect(countSequenceConvolutions(graph('convbert', file))).toBe(2);
    expect(prepareFillMaskGraphs(graph('convbert', file)).paddingDependent).toBe(true);
  });

  it.each(['squeezebert', 'bert', 'deberta-v2', 'modernbert'] as const)('finds none in %s (1×1 convolutions only, or none)', (variant) => {
    expect(countSequenceConvolutions(graph(variant, 'model.onnx'))).toBe(0);
    expect(prepareFillMaskGraphs(graph(variant, 'model.onnx')).paddingDependent).toBe(false);
  });

  it('ignores the 1×1 convolutions fillmask itself writes for the products at the mask rows', () => {
    const prepared = prepareFillMaskGraphs(graph('bert', 'model.onnx'), { pointwiseConvolutions: 'everywhere' });
    expect(prepared.single.model).toBeDefined();
    expect(countSequenceConvolutions(prepared.single.model!)).toBe(0);
  });
});
