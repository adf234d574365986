import { ElementType } from '../graph/onnx-fields.js';
import type { WeightTensor } from '../weights/model-weights.js';
import type { GraphBuilder } from './graph-builder.js';
import { float32Values, transposedFloat32Values, weightRows } from './initializer-values.js';

/**
 * A checkpoint weight as an fp32 initializer of the same name and shape. A weight several nodes
 * read (tied embeddings, ALBERT's shared layers) becomes one initializer.
 */
export function weightInitializer(builder: GraphBuilder, tensor: WeightTensor): string {
  if (builder.hasInitializer(tensor.name)) return tensor.name;
  return builder.addInitializer(tensor.name, ElementType.float, tensor.shape, float32Values(tensor));
}

/** A Linear layer's `[out, in]` weight as the `[in, out]` right operand of a MatMul, transposed once, into the model. */
export function transposedWeightInitializer(builder: GraphBuilder, tensor: WeightTensor): string {
  const name = `${tensor.name}/transposed`;
  if (builder.hasInitializer(name)) return name;
  const [rows, cols] = tensor.shape;
  return builder.addInitializer(name, ElementType.float, [cols, rows], transposedFloat32Values(tensor));
}

/** One row of an embedding table, as a `[features]` initializer (the token type 0 of a model that takes no token types). */
export function embeddingRowInitializer(builder: GraphBuilder, tensor: WeightTensor, row: number): string {
  const name = `${tensor.name}/row_${row}`;
  if (builder.hasInitializer(name)) return name;
  return builder.addInitializer(name, ElementType.float, tensor.shape.slice(1), float32Values(weightRows(tensor, row, 1, name)));
}
