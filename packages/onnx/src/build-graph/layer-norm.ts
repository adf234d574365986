import type { WeightTensor } from '../weights/model-weights.js';
import type { GraphBuilder } from './graph-builder.js';
import type { ModelDescription } from './model-description.js';
import { weightInitializer } from './weight-initializers.js';

/** The scale and shift of a LayerNorm over the last axis (no shift: `nn.LayerNorm(bias=False)`). */
export interface NormWeights {
  readonly weight: WeightTensor;
  readonly bias?: WeightTensor;
}

/** `name.weight` and `name.bias`, each `[features]`; the bias is left out when `bias` is false. */
export function readNorm(model: ModelDescription, name: string, features: number, options: { bias?: boolean } = {}): NormWeights {
  const weight = model.weight(`${name}.weight`, [features]);
  return options.bias === false ? { weight } : { weight, bias: model.weight(`${name}.bias`, [features]) };
}

/** torch's `nn.LayerNorm` over the last axis: one LayerNormalization (opset 17). */
export function layerNorm(builder: GraphBuilder, scope: string, input: string, norm: NormWeights, epsilon: number): string {
  const inputs = [input, weightInitializer(builder, norm.weight), ...(norm.bias ? [weightInitializer(builder, norm.bias)] : [])];
  return builder.op(scope, 'LayerNormalization', inputs, {
    axis: -1,
    epsilon: { float: epsilon },
  });
}
