import type { WeightTensor } from '../weights/model-weights.js';
import type { GraphBuilder } from './graph-builder.js';
import type { ModelDescription } from './model-description.js';
import { transposedWeightInitializer, weightInitializer } from './weight-initializers.js';

/** A torch `nn.Linear`: weight `[out, in]`, bias `[out]`. */
export interface LinearWeights {
  readonly weight: WeightTensor;
  readonly bias?: WeightTensor;
}

/** `name.weight` (`[outFeatures, inFeatures]`) and `name.bias`, required unless `bias` is false. */
export function readLinear(
  model: ModelDescription,
  name: string,
  inFeatures: number,
  outFeatures: number,
  options: { bias?: boolean } = {},
): LinearWeights {
  const weight = model.weight(`${name}.weight`, [outFeatures, inFeatures]);
  return options.bias === false ? { weight } : { weight, bias: model.weight(`${name}.bias`, [outFeatures]) };
}

/** `input @ weightᵀ + bias`: a MatMul by the transposed weight and an Add, as exporters write a Linear. */
export function linear(builder: GraphBuilder, scope: string, input: string, layer: LinearWeights): string {
  const product = builder.op(scope, 'MatMul', [input, transposedWeightInitializer(builder, layer.weight)]);
  return layer.bias ? builder.op(scope, 'Add', [product, weightInitializer(builder, layer.bias)]) : product;
}
