import { attendWithScores, projectHeads, type Attend, type AttentionShape, type AttentionWeights } from './attention.js';
import type { GraphBuilder } from './graph-builder.js';
import { linear, type LinearWeights } from './linear.js';
import type { RelativePositionTables } from './relative-position-buckets.js';
import { positionDistances } from './sequence-positions.js';

/** Which relative terms a DeBERTa attention adds (`pos_att_type`), and the tensors they read. */
export interface RelativeAttention {
  /** The relative embeddings `[2·span, hidden]`, normalized when config.json asks (`norm_rel_ebd`): one tensor every layer reads. */
  readonly embeddings: string;
  readonly tables: RelativePositionTables;
  readonly contentToPosition: boolean;
  readonly positionToContent: boolean;
}

/** A layer's projections of the relative embeddings: its own (`pos_key_proj`, `pos_query_proj`), or its key and query ones with `share_att_key`. */
export interface RelativeProjections {
  readonly positionKey?: LinearWeights;
  readonly positionQuery?: LinearWeights;
}

/**
 * DeBERTa's disentangled self-attention (`DisentangledSelfAttention`): content scores q·kᵀ plus,
 * per `pos_att_type`, content→position scores q·pkᵀ read at column c2p(q - k) and position→content
 * scores k·pqᵀ read at column p2c(k - q), each divided by √(headSize · (1 + terms)) as transformers
 * divides them, then the masked softmax. `projections(layerWeights)` names each layer's relative projections.
 */
export function disentangledAttention(
  builder: GraphBuilder,
  options: {
    readonly additiveMask: string;
    readonly shape: AttentionShape;
    /** 1 + the number of terms `pos_att_type` names, even when `relative_attention` is off (transformers scales by it regardless). */
    readonly scaleFactor: number;
    readonly relative?: RelativeAttention;
    readonly projections: (weights: AttentionWeights) => RelativeProjections;
    readonly inputIds: string;
  },
): Attend {
  const { additiveMask, shape, relative, projections, inputIds } = options;
  // torch.sqrt(torch.tensor(headSize, dtype=float) * factor), in float32.
  const scale = builder.floatConstant([Math.fround(Math.sqrt(shape.headSize * options.scaleFactor))]);
  const indices = relative ? relativeIndices(builder, relative.tables, inputIds) : undefined;
  return (scope, hidden, weights) => {
    const query = projectHeads(builder, `${scope}/query`, hidden, weights.query, shape);
    const key = projectHeads(builder, `${scope}/key`, hidden, weights.key, shape);
    const value = projectHeads(builder, `${scope}/value`, hidden, weights.value, shape);
    const scaledKeys = builder.op(scope, 'Div', [builder.op(scope, 'Transpose', [key], { perm: [0, 1, 3, 2] }), scale]);
    let scores = builder.op(scope, 'MatMul', [query, scaledKeys]);
    if (relative && indices) {
      const { positionKey, positionQuery } = projections(weights);
      const scoresShape = builder.op(scope, 'Shape', [scores]);
      let bias: string | undefined;
      if (relative.contentToPosition && positionKey) {
        const keysAtDistances = relativeHeads(builder, `${scope}/c2p`, relative.embeddings, positionKey, shape);
        const byColumn = builder.op(`${scope}/c2p`, 'MatMul', [query, keysAtDistances]);
        bias = builder.op(`${scope}/c2p`, 'Div', [
          gatherColumns(builder, `${scope}/c2p`, byColumn, indices.contentToPosition, scoresShape),
          scale,
        ]);
      }
      if (relative.positionToContent && positionQuery) {
        const queriesAtDistances = relativeHeads(builder, `${scope}/p2c`, relative.embeddings, positionQuery, shape);
        const byColumn = builder.op(`${scope}/p2c`, 'MatMul', [key, queriesAtDistances]);
        const read = builder.op(
          `${scope}/p2c`,
          'Transpose',
          [gatherColumns(builder, `${scope}/p2c`, byColumn, indices.positionToContent, scoresShape)],
          { perm: [0, 1, 3, 2] },
        );
        const term = builder.op(`${scope}/p2c`, 'Div', [read, scale]);
        bias = bias ? builder.op(scope, 'Add', [bias, term]) : term;
      }
      if (bias) scores = builder.op(scope, 'Add', [scores, bias]);
    }
    return attendWithScores(builder, scope, scores, additiveMask, value, shape);
  };
}

/** The relative embeddings projected and split into heads, transposed for a product: `[heads, headSize, 2·span]`. */
function relativeHeads(builder: GraphBuilder, scope: string, embeddings: string, projection: LinearWeights, shape: AttentionShape): string {
  const split = builder.op(scope, 'Reshape', [
    linear(builder, scope, embeddings, projection),
    builder.int64Constant([0, shape.heads, shape.headSize]),
  ]);
  return builder.op(scope, 'Transpose', [split], { perm: [1, 2, 0] });
}

/** `scores[b, h, i, columns[i, j]]` for every `j`: torch.gather along the last axis, the `[sequence, sequence]` columns broadcast. */
function gatherColumns(builder: GraphBuilder, scope: string, byColumn: string, columns: string, shape: string): string {
  return builder.op(scope, 'GatherElements', [byColumn, builder.op(scope, 'Expand', [columns, shape])], { axis: -1 });
}

/** The c2p and p2c columns for every (row, column) pair of a sequence, looked up by `row - column`. */
function relativeIndices(
  builder: GraphBuilder,
  tables: RelativePositionTables,
  inputIds: string,
): { contentToPosition: string; positionToContent: string } {
  const scope = '/encoder/relative_positions';
  const index = builder.op(scope, 'Add', [
    positionDistances(builder, inputIds, tables.length),
    builder.int64Constant([tables.length - 1], []),
  ]);
  const lookup = (name: string, table: Int32Array) =>
    builder.op(`${scope}/${name}`, 'Gather', [builder.int64Tensor(`${scope}/${name}_by_distance`, Array.from(table)), index]);
  return { contentToPosition: lookup('c2p', tables.contentToPosition), positionToContent: lookup('p2c', tables.positionToContent) };
}
