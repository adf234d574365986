import { isDefaultDomain, type OnnxNode } from './onnx-node.js';

/** What the region search needs to know about a graph. */
export interface GraphView {
  readonly producers: ReadonlyMap<string, OnnxNode>;
  readonly consumers: ReadonlyMap<string, readonly OnnxNode[]>;
  readonly graphOutputs: ReadonlySet<string>;
  /** Constants and per-tensor scalars: the same for every position. */
  isFixed(name: string): boolean;
  /** The rank of a fixed tensor when the graph states it (initializers, Constant nodes, scalars). */
  fixedRank(name: string): number | undefined;
  /** One value per input (`[batch, 1, 1]`): an op reading it cannot run on gathered rows. */
  isPerInput?(name: string): boolean;
}

/** The part of a graph above the vocabulary projection that can run on the mask rows alone. */
export interface RowRegion {
  /** Nodes that now compute only the mask rows. */
  readonly nodes: ReadonlySet<OnnxNode>;
  /** Tensors still computed at every position that the region reads: each gets a gather of the mask rows. */
  readonly frontier: readonly string[];
  /** Tensors that now hold the mask rows only, `[positions, features]` instead of `[batch, sequence, features]`. */
  readonly tensors: ReadonlySet<string>;
}

/** Ops between a vocabulary projection and the logits that act on each position alone (a bias, an int8 graph's rescaling). */
export const perPositionOps: ReadonlySet<string> = new Set(['Add', 'Sub', 'Mul', 'Div', 'Cast']);

const unaryOps = new Set([
  'Abs',
  'Cast',
  'Elu',
  'Erf',
  'Exp',
  'Gelu',
  'HardSigmoid',
  'Identity',
  'LeakyRelu',
  'Log',
  'Neg',
  'Reciprocal',
  'Relu',
  'Sigmoid',
  'Softplus',
  'Softsign',
  'Sqrt',
  'Tanh',
]);
const elementwiseOps = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min']);
const reductions = new Set(['ReduceMean', 'ReduceSum', 'ReduceSumSquare', 'ReduceMax', 'ReduceMin', 'ReduceL2']);

/**
 * Grows the region that runs on mask rows only upwards from the projection, through every op whose
 * output row i depends on row i of its inputs alone (per-element ops with per-feature constants,
 * a MatMul by a weight matrix, a reduction or LayerNorm over the features) and whose outputs feed
 * nothing outside the region. In a BERT-style encoder that is the head's transform and the last
 * layer's attention output projection, feed-forward block and both LayerNorms; it stops at the
 * attention (every row reads every key) and at an int8 graph's DynamicQuantizeLinear (one scale for
 * the whole tensor), so each row is computed by the same ops on the same values as before.
 */
export function growRowRegion(graph: GraphView, starts: ReadonlyArray<{ readonly node: OnnxNode; readonly input: string }>): RowRegion {
  const nodes = new Set<OnnxNode>(starts.map((start) => start.node));
  const tensors = new Set<string>();
  const frontier = new Set<string>(starts.map((start) => start.input));
  let grew = true;
  // A tensor joins once every op reading it has joined, so sweep until nothing changes.
  while (grew) {
    grew = false;
    for (const name of frontier) {
      const producer = graph.producers.get(name);
      if (!producer || graph.graphOutputs.has(name) || !computesRowByRow(producer, graph)) continue;
      if (!(graph.consumers.get(name) ?? []).every((consumer) => nodes.has(consumer))) continue;
      if (producer.outputs.some((output) => output !== name && isUsed(output, graph))) continue;
      nodes.add(producer);
      tensors.add(name);
      frontier.delete(name);
      for (const input of producer.inputs) if (input !== '' && !graph.isFixed(input) && !tensors.has(input)) frontier.add(input);
      grew = true;
    }
  }
  return { nodes, frontier: [...frontier], tensors };
}

function computesRowByRow(node: OnnxNode, graph: GraphView): boolean {
  if (!isDefaultDomain(node) || node.inputs.some((input) => graph.isPerInput?.(input))) return false;
  const computed = node.inputs.filter((input) => input !== '' && !graph.isFixed(input));
  const fixed = node.inputs.filter((input) => input !== '' && graph.isFixed(input));
  // A fixed operand of rank 2 or more could vary along the rows (a [sequence, hidden] table).
  const fixedPerFeature = fixed.every((input) => (graph.fixedRank(input) ?? Infinity) <= 1);
  const lastAxisOnly = (name: string, fallback: number) => sameList(node.intAttributes.get(name) ?? [fallback], [-1]);
  switch (true) {
    case node.opType === 'MatMul':
      return computed.length === 1 && computed[0] === node.inputs[0] && graph.fixedRank(node.inputs[1]) === 2;
    case unaryOps.has(node.opType):
      return computed.length === 1 && fixedPerFeature;
    case elementwiseOps.has(node.opType):
      return computed.length >= 1 && fixedPerFeature;
    case reductions.has(node.opType):
      // Opset 18 moved `axes` to an input; only the attribute form is read here.
      return node.inputs.length === 1 && lastAxisOnly('axes', 0) && (node.intAttributes.get('keepdims')?.[0] ?? 1) === 1;
    case node.opType === 'LayerNormalization':
      return computed.length === 1 && computed[0] === node.inputs[0] && fixedPerFeature && lastAxisOnly('axis', -1);
    default:
      return false;
  }
}

function isUsed(name: string, graph: GraphView): boolean {
  return name !== '' && ((graph.consumers.get(name)?.length ?? 0) > 0 || graph.graphOutputs.has(name));
}

function sameList(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}
