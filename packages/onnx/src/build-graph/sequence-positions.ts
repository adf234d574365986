import type { GraphBuilder } from './graph-builder.js';
import { firstRows } from './embeddings.js';

const distancesOf = new WeakMap<GraphBuilder, string>();

/**
 * `[sequence, sequence]` int64 `row - column` for the sequence of `inputIds`, which may be as long as
 * `length`: what relative positions and sliding windows are computed from. Computed once per graph.
 */
export function positionDistances(builder: GraphBuilder, inputIds: string, length: number): string {
  const known = distancesOf.get(builder);
  if (known) return known;
  const scope = '/positions';
  const positions = firstRows(
    builder,
    scope,
    builder.int64Tensor(
      `${scope}/up_to_${length}`,
      Array.from({ length }, (_, index) => index),
    ),
    inputIds,
  );
  const rows = builder.op(scope, 'Unsqueeze', [positions, builder.int64Constant([1])]);
  const columns = builder.op(scope, 'Unsqueeze', [positions, builder.int64Constant([0])]);
  const distances = builder.op(scope, 'Sub', [rows, columns]);
  distancesOf.set(builder, distances);
  return distances;
}
