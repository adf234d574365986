import { ElementType, GraphField, TensorField } from './onnx-fields.js';
import { initializerName } from './onnx-initializer.js';
import { readOnnxModel, replaceGraph } from './onnx-model.js';
import { encodeNode, isDefaultDomain, linkNodes, renameNodeInputs, type OnnxNode } from './onnx-node.js';
import { encodeValueInfo, readValueInfo } from './onnx-value-info.js';
import { fieldText, readFields, repeatedInt64, type WireField } from './protobuf-wire.js';
import { growRowRegion, perPositionOps, type GraphView } from './row-region.js';

/** The graph input that receives the flattened mask positions (`row * sequenceLength + column`). */
export const maskPositionsInput = 'fillmask_mask_positions';

/** The tensors of a rewritten graph computed from the gathered mask rows (none in a graph as exported). */
export function computedFromMaskRows(nodes: readonly OnnxNode[]): Set<string> {
  // ONNX lists nodes in topological order, so one pass marks them all.
  const fromMaskRows = new Set([maskPositionsInput]);
  for (const node of nodes)
    if (node.inputs.some((input) => fromMaskRows.has(input))) for (const output of node.outputs) fromMaskRows.add(output);
  return fromMaskRows;
}

export type MaskRowsRewrite =
  | {
      readonly rewritten: true;
      readonly model: Uint8Array;
      readonly positionsInput: string;
      readonly logitsOutput: string;
      /** How many ops of the graph now run on the mask rows only (the projection and the ops above it). */
      readonly maskRowOps: number;
    }
  | { readonly rewritten: false; readonly reason: string };

export interface MaskRowsOptions {
  /**
   * Tensors of shape `[batch, sequence, 1]` holding one value per row, such as the per-row
   * quantization scales `quantizePerSequence` writes. Ops that combine the projection's output with
   * them (or with what is computed from them and constants alone) still act on each row alone; the
   * cut gathers them at the mask rows like any other tensor.
   */
  readonly rowScalars?: ReadonlySet<string>;
  /**
   * Tensors of shape `[batch, 1, 1]` holding one value per input, such as the other scales
   * `quantizePerSequence` writes. They have no rows to gather, so the cut stays below every op that
   * reads them (or what is computed from them and constants alone).
   */
  readonly inputScalars?: ReadonlySet<string>;
}

const projectionOps = new Set(['MatMul', 'MatMulInteger']);

/**
 * Rewrites a masked-LM graph so the vocabulary projection runs only at the mask positions.
 *
 * A fill-mask call reads the logits of a handful of positions, yet the exported graph projects every
 * position onto the whole vocabulary (768 × 50,265 multiply-adds per token for distilroberta, about
 * 45% of its work). The rewrite finds that projection (a MatMul with constant weights, followed only
 * by per-position ops such as the bias Add or the rescaling of an int8 graph), then moves the cut
 * up through every op that computes each row from the same row alone (`growRowRegion`: the head's
 * transform, and in an fp32 encoder the last layer's attention output and feed-forward block). At
 * each tensor where the cut lands it flattens `[batch, sequence, features]` to rows and gathers those
 * of a new `fillmask_mask_positions` input. The logits become `[positions, vocab]`. The attention
 * and an int8 graph's dynamic quantization of a full tensor stay as they were, so each row is
 * computed by the same ops on the same values as before. A graph of another shape is left alone,
 * with the reason.
 */
export function gatherMaskRows(model: Uint8Array, options: MaskRowsOptions = {}): MaskRowsRewrite {
  const parsed = readOnnxModel(model);
  if (!parsed) return skipped('the model has no graph');
  const { opset, graphFields, nodes } = parsed;
  if (opset !== undefined && opset < 11) return skipped(`opset ${opset} is older than 11 (Flatten with a negative axis)`);

  const outputs = graphFields
    .filter((field) => field.number === GraphField.output)
    .map((field) => ({ field, info: readValueInfo(model, field) }));
  const logits = outputs.find((output) => output.info.name === 'logits') ?? outputs[0];
  if (!logits) return skipped('the graph has no output');
  if (logits.info.shape && logits.info.shape.length !== 3)
    return skipped(`${logits.info.name} has rank ${logits.info.shape.length}, not [batch, sequence, vocab]`);
  const usedNames = new Set(nodes.flatMap((node) => [...node.inputs, ...node.outputs]));
  if (usedNames.has(maskPositionsInput)) return skipped(`the graph already uses the name ${maskPositionsInput}`);

  const view = graphView(model, graphFields, nodes, new Set(outputs.map((output) => output.info.name)), {
    rows: options.rowScalars ?? new Set(),
    inputs: options.inputScalars ?? new Set(),
  });
  const found = findProjection(view, logits.info.name);
  if (typeof found === 'string') return skipped(found);
  const { projection, rowwiseTensors, rowScalarReaders } = found;
  // The per-row values the ops after the projection read (an int8 graph's scales) are computed on the mask rows too.
  const region = growRowRegion(view, [{ node: projection, input: projection.inputs[0] }, ...rowScalarReaders]);
  const gatheredNames = new Map(region.frontier.map((name) => [name, `${name}/fillmask_mask_rows`]));
  const reshapedTensors = new Set([...rowwiseTensors, ...region.tensors]);

  const graphParts: Uint8Array[] = [];
  const emitted = new Set<string>();
  const nodeByField = new Map(nodes.map((node) => [node.field, node]));
  for (const field of graphFields) {
    // Shapes recorded for the old [batch, sequence, …] tensors would now be wrong.
    if (field.number === GraphField.valueInfo && reshapedTensors.has(readValueInfo(model, field).name)) continue;
    const node = nodeByField.get(field);
    if (node && region.nodes.has(node)) {
      // The gathers go right before the first op that reads them: after their producers, as the order requires.
      for (const input of node.inputs) {
        const gathered = gatheredNames.get(input);
        if (gathered === undefined || emitted.has(input)) continue;
        emitted.add(input);
        const flattened = `${input}/fillmask_flattened`;
        graphParts.push(
          encodeNode({
            name: `${gathered}/flatten`,
            opType: 'Flatten',
            inputs: [input],
            outputs: [flattened],
            intAttributes: { axis: -1 },
          }),
          encodeNode({
            name: `${gathered}/gather`,
            opType: 'Gather',
            inputs: [flattened, maskPositionsInput],
            outputs: [gathered],
            intAttributes: { axis: 0 },
          }),
        );
      }
      graphParts.push(
        node.inputs.some((input) => gatheredNames.has(input))
          ? renameNodeInputs(model, node, gatheredNames)
          : model.subarray(field.start, field.end),
      );
    } else if (field === logits.field) {
      const vocab = logits.info.shape?.[2];
      graphParts.push(
        encodeValueInfo(GraphField.output, {
          name: logits.info.name,
          elementType: logits.info.elementType ?? ElementType.float,
          shape: ['mask_positions', typeof vocab === 'number' ? vocab : 'vocab'],
        }),
      );
    } else {
      graphParts.push(model.subarray(field.start, field.end));
    }
  }
  graphParts.push(
    encodeValueInfo(GraphField.input, { name: maskPositionsInput, elementType: ElementType.int64, shape: ['mask_positions'] }),
  );

  return {
    rewritten: true,
    model: replaceGraph(parsed, graphParts),
    positionsInput: maskPositionsInput,
    logitsOutput: logits.info.name,
    maskRowOps: region.nodes.size,
  };
}

/**
 * Walks back from the logits through per-position ops to the projection. Every tensor on the way
 * must feed only the next op, or the rewrite would change what something else sees.
 */
function findProjection(
  view: ProjectionGraphView,
  logitsName: string,
): { projection: OnnxNode; rowwiseTensors: Set<string>; rowScalarReaders: Array<{ node: OnnxNode; input: string }> } | string {
  const rowwiseTensors = new Set<string>();
  const rowScalarReaders: Array<{ node: OnnxNode; input: string }> = [];
  let current = logitsName;
  for (let step = 0; step < 16; step++) {
    const node = view.producers.get(current);
    if (!node) return `nothing in the graph computes ${current}`;
    if (!isDefaultDomain(node)) return `${current} comes from ${node.domain}.${node.opType}, an op of another domain`;
    if (current !== logitsName && (view.consumers.get(current)?.length ?? 0) !== 1) return `${current} is used by more than the logits`;
    rowwiseTensors.add(current);
    if (projectionOps.has(node.opType)) {
      if (!view.isConstant(node.inputs[1])) return `the last ${node.opType} multiplies two computed tensors, not a tensor by weights`;
      if (!node.inputs.slice(2).every((input) => input === '' || view.isFixed(input)))
        return `the last ${node.opType} has computed zero points`;
      return { projection: node, rowwiseTensors, rowScalarReaders };
    }
    if (!perPositionOps.has(node.opType))
      return `the logits come from ${node.opType} (${current}), not from a projection followed by per-position ops`;
    const computed = node.inputs.filter((input) => input !== '' && !view.isFixed(input) && !view.isRowScalar(input));
    if (computed.length !== 1) return `${node.opType} ${current} combines ${computed.length} computed tensors`;
    for (const input of node.inputs) if (view.isRowScalar(input)) rowScalarReaders.push({ node, input });
    current = computed[0];
  }
  return 'no projection within 16 ops of the logits';
}

/** Producers, consumers, and which tensors are the same at every position, with their ranks when known. */
interface ProjectionGraphView extends GraphView {
  /** Initializers and what is computed from them alone (not the per-tensor scalars of an int8 graph). */
  isConstant(name: string): boolean;
  /** One value per row (`MaskRowsOptions.rowScalars`), or computed from such values and fixed tensors alone. */
  isRowScalar(name: string): boolean;
}

function graphView(
  model: Uint8Array,
  graphFields: readonly WireField[],
  nodes: readonly OnnxNode[],
  graphOutputs: ReadonlySet<string>,
  scalarSeeds: { readonly rows: ReadonlySet<string>; readonly inputs: ReadonlySet<string> },
): ProjectionGraphView {
  const ranks = new Map<string, number>();
  for (const field of graphFields) {
    if (field.number !== GraphField.initializer) continue;
    const parts = readFields(model, field.valueStart, field.valueEnd);
    const name = parts.find((part) => part.number === TensorField.name);
    const dims = parts.filter((part) => part.number === TensorField.dims);
    if (name) ranks.set(fieldText(model, name), repeatedInt64(model, dims).length);
  }
  for (const node of nodes) {
    const value = node.opType === 'Constant' ? node.tensorAttributeDims.get('value') : undefined;
    if (value) ranks.set(node.outputs[0], value.length);
    // Shared (ALBERT) and tied weights arrive through an Identity or a Transpose of the initializer.
    const inputRank = ranks.get(node.inputs[0]);
    if ((node.opType === 'Identity' || node.opType === 'Transpose') && inputRank !== undefined) ranks.set(node.outputs[0], inputRank);
  }
  const constants = constantTensors(model, graphFields, nodes);
  const scalars = scalarTensors(nodes, constants);
  const rowScalars = spreadScalars(nodes, scalarSeeds.rows, constants, scalars);
  const inputScalars = spreadScalars(nodes, scalarSeeds.inputs, constants, scalars);
  const { producers, consumers } = linkNodes(nodes);
  return {
    producers,
    consumers,
    graphOutputs,
    isConstant: (name) => constants.has(name),
    isRowScalar: (name) => rowScalars.has(name),
    isPerInput: (name) => inputScalars.has(name),
    isFixed: (name) => constants.has(name) || scalars.has(name),
    fixedRank: (name) => (scalars.has(name) ? 0 : ranks.get(name)),
  };
}

/** The seeds and what per-element ops compute from them, constants and scalars alone: the same shape as the seeds. */
function spreadScalars(
  nodes: readonly OnnxNode[],
  seeds: ReadonlySet<string>,
  constants: ReadonlySet<string>,
  scalars: ReadonlySet<string>,
): Set<string> {
  const spread = new Set(seeds);
  for (const node of nodes) {
    const inputs = node.inputs.filter((input) => input !== '');
    const fromSeeds =
      inputs.some((input) => spread.has(input)) && inputs.every((input) => spread.has(input) || constants.has(input) || scalars.has(input));
    // Only per-element ops keep the shape ([batch, sequence, 1] or [batch, 1, 1] in, the same out).
    if (perPositionOps.has(node.opType) && fromSeeds) for (const output of node.outputs) spread.add(output);
  }
  return spread;
}

/** Initializers and everything computed from them alone (Constant nodes, a Transpose of tied embeddings, ...). */
function constantTensors(model: Uint8Array, graphFields: readonly WireField[], nodes: readonly OnnxNode[]): Set<string> {
  const constants = new Set<string>();
  for (const field of graphFields) {
    if (field.number !== GraphField.initializer) continue;
    const name = initializerName(model, field);
    if (name) constants.add(name);
  }
  for (const node of nodes) {
    if (node.inputs.every((input) => input === '' || constants.has(input))) for (const output of node.outputs) constants.add(output);
  }
  return constants;
}

/** The scale and zero point a DynamicQuantizeLinear computes, and per-element arithmetic on them: one value per tensor. */
function scalarTensors(nodes: readonly OnnxNode[], constants: ReadonlySet<string>): Set<string> {
  const scalars = new Set<string>();
  for (const node of nodes) {
    if (node.opType === 'DynamicQuantizeLinear') for (const output of node.outputs.slice(1)) scalars.add(output);
    else if (
      perPositionOps.has(node.opType) &&
      node.inputs.every((input) => constants.has(input) || scalars.has(input)) &&
      node.inputs.some((input) => scalars.has(input))
    ) {
      for (const output of node.outputs) scalars.add(output);
    }
  }
  return scalars;
}

function skipped(reason: string): MaskRowsRewrite {
  return { rewritten: false, reason };
}
