import type { OnnxNode } from './onnx-node.js';

/**
 * How a tensor depends on the graph's inputs: through their `values`, through their `shape` only (a
 * `Shape` or `Size` of them, and what is computed from that), or `none` (initializers and what is
 * computed from them alone, the same for every call).
 */
export type InputDependence = 'values' | 'shape' | 'none';

const rank: Record<InputDependence, number> = { none: 0, shape: 1, values: 2 };
const shapeOps = new Set(['Shape', 'Size']);

/** Each tensor's dependence on `graphInputs`, in one pass over the nodes (ONNX keeps them in topological order). */
export function inputDependences(nodes: readonly OnnxNode[], graphInputs: Iterable<string>): (name: string) => InputDependence {
  const dependence = new Map<string, InputDependence>();
  for (const input of graphInputs) dependence.set(input, 'values');
  for (const node of nodes) {
    let strongest: InputDependence = 'none';
    for (const input of node.inputs) {
      const found = dependence.get(input) ?? 'none';
      if (rank[found] > rank[strongest]) strongest = found;
    }
    const produced = shapeOps.has(node.opType) && strongest !== 'none' ? 'shape' : strongest;
    if (produced !== 'none') for (const output of node.outputs) dependence.set(output, produced);
  }
  return (name) => dependence.get(name) ?? 'none';
}
