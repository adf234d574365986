import { ElementType } from '../graph/onnx-fields.js';
import type { WeightTensor } from '../weights/model-weights.js';
import type { GraphBuilder } from './graph-builder.js';
import { layerNorm, type NormWeights } from './layer-norm.js';
import type { MaskedLmInputs } from './masked-lm-io.js';
import { embeddingRowInitializer, weightInitializer } from './weight-initializers.js';

/** The embedding tables of a BERT-style encoder and the LayerNorm over their sum. */
export interface EmbeddingWeights {
  readonly words: WeightTensor;
  readonly positions: WeightTensor;
  /** Absent for models without token types (DistilBERT). */
  readonly tokenTypes?: WeightTensor;
  readonly norm: NormWeights;
}

/**
 * How position ids are made: `absolute` counts 0, 1, … along the sequence (BERT); `after-padding`
 * counts the non-padding tokens from `paddingIdx + 1` and gives padding `paddingIdx` (RoBERTa's
 * `create_position_ids_from_input_ids`), computed from `input_ids` in the graph.
 */
export type PositionIds = { readonly kind: 'absolute' } | { readonly kind: 'after-padding'; readonly paddingIdx: number };

/**
 * `LayerNorm(words[ids] + tokenTypes[types] + positions[position ids])`, summed in transformers' order.
 * Token types come from `token_type_ids` when the graph takes it, else are all 0 (transformers' buffer).
 */
export function embed(
  builder: GraphBuilder,
  inputs: MaskedLmInputs,
  weights: EmbeddingWeights,
  positionIds: PositionIds,
  layerNormEps: number,
): string {
  const scope = '/embeddings';
  let sum = builder.op(`${scope}/word_embeddings`, 'Gather', [weightInitializer(builder, weights.words), inputs.inputIds]);
  if (weights.tokenTypes) {
    const tokenTypes = inputs.tokenTypeIds
      ? builder.op(`${scope}/token_type_embeddings`, 'Gather', [weightInitializer(builder, weights.tokenTypes), inputs.tokenTypeIds])
      : embeddingRowInitializer(builder, weights.tokenTypes, 0);
    sum = builder.op(scope, 'Add', [sum, tokenTypes]);
  }
  const positions =
    positionIds.kind === 'absolute'
      ? firstRows(builder, `${scope}/position_embeddings`, weightInitializer(builder, weights.positions), inputs.inputIds)
      : builder.op(`${scope}/position_embeddings`, 'Gather', [
          weightInitializer(builder, weights.positions),
          positionsAfterPadding(builder, inputs.inputIds, positionIds.paddingIdx),
        ]);
  sum = builder.op(scope, 'Add', [sum, positions]);
  return layerNorm(builder, `${scope}/LayerNorm`, sum, weights.norm, layerNormEps);
}

/** Rows `[0, sequence_length)` of a table (positions): `[sequence, …]`, broadcast over the batch. */
export function firstRows(builder: GraphBuilder, scope: string, table: string, inputIds: string): string {
  const sequenceLength = builder.op(scope, 'Shape', [inputIds], { start: 1, end: 2 });
  return builder.op(scope, 'Slice', [table, builder.int64Constant([0]), sequenceLength, builder.int64Constant([0])]);
}

/** `cumsum(ids != pad) · (ids != pad) + pad`, in int32 as the exported graphs compute it, then int64 for the Gather. */
function positionsAfterPadding(builder: GraphBuilder, inputIds: string, paddingIdx: number): string {
  const scope = '/embeddings/position_ids';
  const isPadding = builder.op(scope, 'Equal', [inputIds, builder.int64Constant([paddingIdx], [])]);
  const notPadding = builder.op(scope, 'Cast', [builder.op(scope, 'Not', [isPadding])], { to: ElementType.int32 });
  const counted = builder.op(scope, 'Mul', [builder.op(scope, 'CumSum', [notPadding, builder.int64Constant([1], [])]), notPadding]);
  return builder.op(scope, 'Add', [
    builder.op(scope, 'Cast', [counted], { to: ElementType.int64 }),
    builder.int64Constant([paddingIdx], []),
  ]);
}
