import type { GraphBuilder } from './graph-builder.js';
import { linear, readLinear, type LinearWeights } from './linear.js';
import type { ModelDescription } from './model-description.js';

/** The query, key and value projections of a multi-head self-attention. */
export interface AttentionWeights {
  readonly query: LinearWeights;
  readonly key: LinearWeights;
  readonly value: LinearWeights;
}

export interface AttentionShape {
  readonly heads: number;
  readonly headSize: number;
}

/** The heads and their size: `hidden / heads`, which must divide evenly as transformers requires. */
export function attentionShape(model: ModelDescription, hidden: number, headsField = 'num_attention_heads'): AttentionShape {
  const heads = model.integer(headsField);
  if (heads === 0 || hidden % heads !== 0)
    throw model.unsupported(`the hidden size ${hidden} is not a multiple of ${headsField} ${heads}.`);
  return { heads, headSize: hidden / heads };
}

export function readAttention(
  model: ModelDescription,
  names: { query: string; key: string; value: string },
  hidden: number,
  shape: AttentionShape,
): AttentionWeights {
  const width = shape.heads * shape.headSize;
  return {
    query: readLinear(model, names.query, hidden, width),
    key: readLinear(model, names.key, hidden, width),
    value: readLinear(model, names.value, hidden, width),
  };
}

/** Computes a layer's attention context `[batch, sequence, heads · headSize]` from its input and projections. */
export type Attend = (scope: string, hidden: string, weights: AttentionWeights) => string;

/** `selfAttention` under `additiveMask`, as an encoder layer's `Attend`. */
export function scaledDotProductAttention(builder: GraphBuilder, additiveMask: string, shape: AttentionShape): Attend {
  return (scope, hidden, weights) => selfAttention(builder, scope, hidden, additiveMask, weights, shape);
}

/**
 * Scaled dot-product self-attention over `[batch, sequence, hidden]`: softmax(q·kᵀ / √d + mask)·v per
 * head, the heads concatenated again to `[batch, sequence, heads · headSize]`. `additiveMask` is
 * `[batch, 1, 1, sequence]` (`additiveAttentionMask`).
 */
export function selfAttention(
  builder: GraphBuilder,
  scope: string,
  hidden: string,
  additiveMask: string,
  weights: AttentionWeights,
  shape: AttentionShape,
): string {
  const query = projectHeads(builder, `${scope}/query`, hidden, weights.query, shape);
  // Keys as [batch, heads, headSize, sequence], so q·kᵀ is a plain MatMul.
  const key = projectHeads(builder, `${scope}/key`, hidden, weights.key, shape, { keys: true });
  const value = projectHeads(builder, `${scope}/value`, hidden, weights.value, shape);
  const scores = builder.op(scope, 'Div', [builder.op(scope, 'MatMul', [query, key]), builder.floatConstant([Math.sqrt(shape.headSize)])]);
  return attendWithScores(builder, scope, scores, additiveMask, value, shape);
}

/**
 * A projection of `[batch, sequence, features]` split into heads: `[batch, heads, sequence, headSize]`,
 * or with `keys` `[batch, heads, headSize, sequence]` (transposed for q·kᵀ).
 */
export function projectHeads(
  builder: GraphBuilder,
  scope: string,
  hidden: string,
  projection: LinearWeights,
  shape: AttentionShape,
  options: { keys?: boolean } = {},
): string {
  const split = builder.op(scope, 'Reshape', [
    linear(builder, scope, hidden, projection),
    builder.int64Constant([0, 0, shape.heads, shape.headSize]),
  ]);
  return builder.op(scope, 'Transpose', [split], { perm: options.keys ? [0, 2, 3, 1] : [0, 2, 1, 3] });
}

/** softmax(scores + mask)·v, the heads merged back to `[batch, sequence, heads · headSize]`. */
export function attendWithScores(
  builder: GraphBuilder,
  scope: string,
  scores: string,
  additiveMask: string,
  value: string,
  shape: AttentionShape,
): string {
  const probabilities = builder.op(scope, 'Softmax', [builder.op(scope, 'Add', [scores, additiveMask])], { axis: -1 });
  const context = builder.op(scope, 'Transpose', [builder.op(scope, 'MatMul', [probabilities, value])], { perm: [0, 2, 1, 3] });
  return builder.op(scope, 'Reshape', [context, builder.int64Constant([0, 0, shape.heads * shape.headSize])]);
}
