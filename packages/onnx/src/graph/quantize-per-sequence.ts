import { ElementType, GraphField } from './onnx-fields.js';
import type { ExternalDataReader } from './external-data.js';
import {
  encodeInitializer,
  hasIntegerValues,
  integerValues,
  integerView,
  isQuantizedMatrix,
  readInitializers,
  type OnnxInitializer,
} from './onnx-initializer.js';
import { readOnnxModel, replaceGraph, type OnnxModelView } from './onnx-model.js';
import { encodeNode, isDefaultDomain, linkNodes, type OnnxNode } from './onnx-node.js';
import { inputDependences } from './input-dependence.js';
import { perPositionOps } from './row-region.js';
import { readValueInfo } from './onnx-value-info.js';
import type { WireField } from './protobuf-wire.js';

export type PerSequenceQuantization =
  | {
      readonly kind: 'rewritten';
      readonly model: Uint8Array;
      /**
       * The scales and zero points repeated on every row, `[batch, sequence, 1]`, for the quantizers
       * feeding the logits' projection: see `MaskRowsOptions.rowScalars`. The others are `[batch, 1, 1]`.
       */
      readonly rowScalars: ReadonlySet<string>;
      /** The other quantizers' scales and zero points, one per input (`[batch, 1, 1]`): see `MaskRowsOptions.inputScalars`. */
      readonly inputScalars: ReadonlySet<string>;
      /** How many DynamicQuantizeLinear ops now quantize each input on its own. */
      readonly quantizers: number;
    }
  | { readonly kind: 'no-dynamic-quantization' }
  | { readonly kind: 'skipped'; readonly reason: string };

const maskInput = 'attention_mask';
const prefix = 'fillmask_per_sequence';
const names = {
  zero: `${prefix}/zero`,
  one: `${prefix}/one`,
  quantizedMax: `${prefix}/255`,
  oneInt64: `${prefix}/one_int64`,
  columnShape: `${prefix}/column_shape`,
  flat: `${prefix}/flat`,
  lastAxis: `${prefix}/last_axis`,
  sequenceAxes: `${prefix}/sequence_axes`,
  batchSequence: `${prefix}/batch_sequence`,
  rowShape: `${prefix}/batch_sequence_1`,
  maskBool: `${prefix}/attention_mask_bool`,
  realToken: `${prefix}/real_token`,
};

/**
 * Makes an int8 graph's answers for one input independent of the inputs batched with it.
 *
 * A dynamically quantized graph (onnxruntime's `quantize_dynamic`, the `model_quantized.onnx` of the
 * Hub's ONNX models) quantizes each activation with one scale for the whole tensor: in a batch, every
 * input's scale depends on its batch-mates and on the padding, so batching moves scores. The rewrite
 * replaces each `DynamicQuantizeLinear` with the same arithmetic done per input over its real tokens
 * only (onnxruntime's: range widened to include 0, scale `(max - min) / 255`, zero point rounded half
 * to even, values divided, clamped and rounded), so a batched input gets exactly the scale and zero
 * point it gets alone. The `MatMulInteger`s it feeds then need a zero point per row, which onnxruntime
 * only takes per tensor: they run without one and subtract `zero point × column sums of the weights`
 * afterwards, in int32, which is exact; the Cast and Mul that scale the product become one
 * DequantizeLinear per input (the same float products in one pass). Everything downstream sees the
 * same values as before.
 *
 * Graphs of another shape (no attention_mask to tell padding from tokens, a quantized tensor read by
 * something other than a MatMulInteger with constant weights, opset below 13) are left alone, with the
 * reason; the caller then runs them one input at a time. Int8 weights in external data are summed
 * through `readExternalData`, one matrix at a time; without it such a graph is left alone too.
 */
export function quantizePerSequence(model: Uint8Array, { readExternalData }: PerSequenceOptions = {}): PerSequenceQuantization {
  const analysis = analyze(model, true, readExternalData);
  if (!('plan' in analysis)) return analysis;
  const { parsed, plan, consumers, perRowQuantizers, opset } = analysis;
  const { nodes, graphFields } = parsed;
  const rowScalars = new Set<string>();
  const inputScalars = new Set<string>();
  const graphParts: Uint8Array[] = [];
  let sharedNodesEmitted = false;
  const nodeByField = new Map(nodes.map((node) => [node.field, node]));
  // Scales and zero points were scalars; they and the products of the scales now have a batch axis. Replaced Casts' outputs are gone.
  const reshaped = new Set<string>([...plan.replacedCasts].map((cast) => cast.outputs[0]));
  for (const quantizer of plan.quantizers) {
    for (const output of quantizer.outputs.slice(1)) reshaped.add(output);
    for (const reader of consumers.get(quantizer.outputs[1]) ?? []) for (const output of reader.outputs) reshaped.add(output);
  }
  for (const field of graphFields) {
    if (field.number === GraphField.valueInfo && reshaped.has(readValueInfo(model, field).name)) continue;
    const node = nodeByField.get(field);
    if (node && plan.replacedCasts.has(node)) continue;
    const shift = node && plan.matMuls.get(node);
    if (node && plan.quantizers.has(node)) {
      if (!sharedNodesEmitted) graphParts.push(...sharedNodes());
      sharedNodesEmitted = true;
      const perRow = perRowQuantizers.has(node);
      graphParts.push(...perSequenceQuantizer(node, opset, perRow));
      (perRow ? rowScalars : inputScalars).add(node.outputs[1]).add(sequenceZeroPoints(node));
    } else if (node && shift) {
      graphParts.push(...shiftedMatMul(node, shift));
    } else if (node && plan.dequantizations.has(node)) {
      graphParts.push(...dequantize(node, plan.dequantizations.get(node)!));
    } else {
      graphParts.push(model.subarray(field.start, field.end));
    }
  }
  graphParts.push(...sharedInitializers(opset, plan.dequantizations.size > 0), ...plan.columnSums.values());
  return { kind: 'rewritten', model: replaceGraph(parsed, graphParts), rowScalars, inputScalars, quantizers: plan.quantizers.size };
}

export interface PerSequenceOptions {
  /** Reads int8 weights the graph keeps in external data, to sum their columns. Without it, such weights rule the rewrite out. */
  readonly readExternalData?: ExternalDataReader;
}

/**
 * What `quantizePerSequence` would do with the same options, without writing the new graph or
 * reading any weight: `rewritten` stands for "would be".
 */
export function checkPerSequenceQuantization(
  model: Uint8Array,
  { readExternalData }: PerSequenceOptions = {},
): { readonly kind: 'rewritten'; readonly quantizers: number } | Exclude<PerSequenceQuantization, { kind: 'rewritten' }> {
  // Checks the weights without summing them: a model that never batches should not pay for that.
  const analysis = analyze(model, false, readExternalData);
  return 'plan' in analysis ? { kind: 'rewritten', quantizers: analysis.plan.quantizers.size } : analysis;
}

interface Analysis {
  readonly parsed: OnnxModelView;
  readonly plan: RewritePlan;
  readonly consumers: ReadonlyMap<string, readonly OnnxNode[]>;
  /** The quantizers feeding the logits' projection (a MatMulInteger reaching the logits through per-element ops only). */
  readonly perRowQuantizers: ReadonlySet<OnnxNode>;
  readonly opset: number;
}

function analyze(
  model: Uint8Array,
  withSums: boolean,
  readExternalData: ExternalDataReader | undefined,
): Analysis | Exclude<PerSequenceQuantization, { kind: 'rewritten' }> {
  const parsed = readOnnxModel(model);
  // Nothing to quantize; loading the file reports what is wrong with it.
  if (!parsed) return { kind: 'no-dynamic-quantization' };
  const { nodes, graphFields, opset } = parsed;
  const graphInputs = graphFields.filter((field) => field.number === GraphField.input).map((field) => readValueInfo(model, field).name);
  const dependenceOn = inputDependences(nodes, graphInputs);
  // A tensor computed from the weights alone (DeBERTa's relative-position table, as torch's dynamo
  // exporter leaves it) is the same in any batch: its one scale per tensor stays.
  const quantizers = nodes.filter(
    (node) => node.opType === 'DynamicQuantizeLinear' && isDefaultDomain(node) && dependenceOn(node.inputs[0]) !== 'none',
  );
  if (quantizers.length === 0) return { kind: 'no-dynamic-quantization' };
  if (opset === undefined || opset < 13) return skipped(`opset ${opset ?? 'unknown'} is older than 13 (QuantizeLinear per axis)`);
  if (!graphInputs.includes(maskInput)) return skipped(`the graph takes no ${maskInput}, so padding cannot be told from tokens`);
  const shapeOnly = quantizers.find((node) => dependenceOn(node.inputs[0]) === 'shape');
  if (shapeOnly)
    return skipped(`${shapeOnly.inputs[0]} depends on the batch's shape but not on its tokens, so it has no rows to quantize per input`);
  const ranks = declaredRanks(model, graphFields, new Set(quantizers.map((node) => node.inputs[0])));
  // A tensor the graph does not describe (most exports leave them out) is taken for rows; a run then tells.
  const notRows = quantizers.find((node) => (ranks.get(node.inputs[0]) ?? 3) !== 3);
  if (notRows) return skipped(`${notRows.inputs[0]} is not [batch, sequence, features], so it has no rows to quantize per input`);

  const { producers, consumers } = linkNodes(nodes);
  const graphOutputs = new Set(
    graphFields.filter((field) => field.number === GraphField.output).map((field) => readValueInfo(model, field).name),
  );
  const projections = new Set(
    nodes.filter((node) => node.opType === 'MatMulInteger' && feedsOutputRowByRow(node, consumers, graphOutputs)),
  );
  // The logits' projection runs on the mask rows only (gatherMaskRows): its quantizer's scales must be per row to be gathered.
  const perRowQuantizers = new Set(
    quantizers.filter((quantizer) => (consumers.get(quantizer.outputs[0]) ?? []).some((reader) => projections.has(reader))),
  );
  const plan = planRewrite(
    quantizers,
    perRowQuantizers,
    consumers,
    { initializers: readInitializers(model, graphFields), producers, readExternalData, summed: new Map() },
    withSums,
  );
  if (typeof plan === 'string') return skipped(plan);
  return { parsed, plan, consumers, perRowQuantizers, opset };
}

interface RewritePlan {
  readonly quantizers: ReadonlySet<OnnxNode>;
  /** Each MatMulInteger fed by a quantizer: its weights' column sums and its input's zero points per row. */
  readonly matMuls: ReadonlyMap<OnnxNode, ZeroPointShift>;
  /** The column-sum initializers to add, by name. */
  readonly columnSums: ReadonlyMap<string, Uint8Array>;
  /** Each `Mul(Cast(MatMulInteger), Mul(scale, weight scale))` that becomes one DequantizeLinear, by its Mul. */
  readonly dequantizations: ReadonlyMap<OnnxNode, Dequantization>;
  /** The Casts those DequantizeLinears replace. */
  readonly replacedCasts: ReadonlySet<OnnxNode>;
}

/**
 * `Mul(Cast(acc), scale product)`, where the scale product is `[batch, 1, 1]`, as one
 * `DequantizeLinear(acc, scale product as [batch], axis 0)`: one pass over the int32 output instead of
 * two, and the same float products (onnxruntime's `float(acc - 0) * scale`).
 */
interface Dequantization {
  readonly accumulator: string;
  readonly scaleProduct: string;
}

interface ZeroPointShift {
  readonly columnSums: string;
  readonly zeroPoints: string;
}

interface ConstantSource {
  readonly initializers: ReadonlyMap<string, OnnxInitializer>;
  readonly producers: ReadonlyMap<string, OnnxNode>;
  /** Reads int8 weights in external data, to sum them. */
  readonly readExternalData?: ExternalDataReader;
  /** Column sums by matrix, so a matrix shared by several products (ALBERT's layers) is read and summed once. */
  readonly summed: Map<string, Int32Array | undefined>;
}

/** With `withSums` false only checks the weights (for `checkPerSequenceQuantization`), leaving `columnSums` empty. */
function planRewrite(
  quantizers: readonly OnnxNode[],
  perRowQuantizers: ReadonlySet<OnnxNode>,
  consumers: ReadonlyMap<string, readonly OnnxNode[]>,
  graph: ConstantSource,
  withSums: boolean,
): RewritePlan | string {
  const matMuls = new Map<OnnxNode, ZeroPointShift>();
  const columnSums = new Map<string, Uint8Array>();
  const dequantizations = new Map<OnnxNode, Dequantization>();
  const replacedCasts = new Set<OnnxNode>();
  for (const quantizer of quantizers) {
    const [quantized, scale, zeroPoint] = quantizer.outputs;
    if (!quantized || !scale || !zeroPoint) return `${quantizer.inputs[0]} is quantized without its scale and zero point as outputs`;
    const readers = consumers.get(quantized) ?? [];
    const readsAll = (reader: OnnxNode) =>
      reader.opType === 'MatMulInteger' && isDefaultDomain(reader) && reader.inputs[0] === quantized && reader.inputs[2] === zeroPoint;
    if (!readers.every(readsAll)) return `${quantized} is read by something other than a MatMulInteger with its zero point`;
    if (!(consumers.get(zeroPoint) ?? []).every((reader) => readers.includes(reader) && reader.inputs.indexOf(zeroPoint) === 2))
      return `${zeroPoint} is read outside a MatMulInteger`;
    if (!(consumers.get(scale) ?? []).every((reader) => reader.opType === 'Mul')) return `${scale} is read by something other than a Mul`;
    for (const matMul of readers) {
      const sums = weightColumnSums(matMul, graph, withSums);
      if (typeof sums === 'string') return sums;
      if (sums.initializer) columnSums.set(sums.name, sums.initializer);
      matMuls.set(matMul, { columnSums: sums.name, zeroPoints: sequenceZeroPoints(quantizer) });
      const dequantization = perRowQuantizers.has(quantizer) ? undefined : scalingOf(matMul, scale, consumers, graph);
      if (dequantization) {
        dequantizations.set(dequantization.mul, { accumulator: matMul.outputs[0], scaleProduct: dequantization.scaleProduct });
        replacedCasts.add(dequantization.cast);
      }
    }
  }
  return { quantizers: new Set(quantizers), matMuls, columnSums, dequantizations, replacedCasts };
}

/** Σ_k (B[k, j] - zero point of B) for each column j: what a row's zero point multiplies. */
function weightColumnSums(matMul: OnnxNode, graph: ConstantSource, withSums: boolean): { name: string; initializer?: Uint8Array } | string {
  const [, weightName, , weightZeroPointName = ''] = matMul.inputs;
  const matrix = constantMatrix(weightName, graph);
  if (!matrix) return `MatMulInteger ${matMul.outputs[0]} multiplies by ${weightName}, not by a constant int8 matrix`;
  const { source } = matrix;
  if (source.external && !graph.readExternalData) {
    return `the weights ${source.name} are in external data (${source.externalData?.location}), which this graph's source cannot read to sum their columns`;
  }
  let zeroPoints: Int32Array = new Int32Array(1);
  if (weightZeroPointName !== '') {
    const zeroPoint = graph.initializers.get(weightZeroPointName);
    const values = zeroPoint && integerValues(zeroPoint);
    if (!values || (values.length !== 1 && values.length !== matrix.columns)) {
      return `MatMulInteger ${matMul.outputs[0]} has a zero point ${weightZeroPointName} that is not a constant per tensor or per column`;
    }
    zeroPoints = values;
  }
  const name = `${weightName}/${weightZeroPointName}/${prefix}_column_sums`;
  if (!withSums) return { name };
  const key = `${source.name}/${matrix.transposed}`;
  if (!graph.summed.has(key)) graph.summed.set(key, matrixColumnSums(matrix, graph.readExternalData));
  const columnSums = graph.summed.get(key);
  if (!columnSums) return `the weights ${source.name} do not hold one value per element`;
  const sums = columnSums.map((sum, column) => sum - matrix.rows * zeroPoints[zeroPoints.length === 1 ? 0 : column]);
  return { name, initializer: encodeInitializer({ name, elementType: ElementType.int32, dims: [sums.length], values: sums }) };
}

/** The `Cast` to float and `Mul` by `Mul(scale, constant weight scale)` after a MatMulInteger, as exporters write them; undefined for another pattern. */
function scalingOf(
  matMul: OnnxNode,
  scale: string,
  consumers: ReadonlyMap<string, readonly OnnxNode[]>,
  graph: ConstantSource,
): { cast: OnnxNode; mul: OnnxNode; scaleProduct: string } | undefined {
  const only = (name: string) => {
    const readers = consumers.get(name) ?? [];
    return readers.length === 1 && isDefaultDomain(readers[0]) ? readers[0] : undefined;
  };
  const cast = only(matMul.outputs[0]);
  if (cast?.opType !== 'Cast' || cast.intAttributes.get('to')?.[0] !== ElementType.float) return undefined;
  const mul = only(cast.outputs[0]);
  if (mul?.opType !== 'Mul' || mul.inputs.length !== 2) return undefined;
  const scaleProduct = mul.inputs[0] === cast.outputs[0] ? mul.inputs[1] : mul.inputs[0];
  const product = graph.producers.get(scaleProduct);
  if (product?.opType !== 'Mul' || !isDefaultDomain(product) || !product.inputs.includes(scale)) return undefined;
  const weightScale = graph.initializers.get(product.inputs[0] === scale ? product.inputs[1] : product.inputs[0]);
  if (weightScale?.dims.reduce((count, size) => count * size, 1) !== 1 || weightScale.elementType !== ElementType.float) return undefined;
  return { cast, mul, scaleProduct };
}

/** A constant integer matrix as the MatMulInteger sees it: `source` itself, or its transpose. */
interface ConstantMatrix {
  readonly source: OnnxInitializer;
  readonly transposed: boolean;
  readonly rows: number;
  readonly columns: number;
}

/**
 * A constant integer matrix: an initializer, or one seen through an Identity (shared ALBERT layers) or
 * a Transpose (an MLM head tied to the quantized embeddings).
 */
function constantMatrix(name: string, graph: ConstantSource): ConstantMatrix | undefined {
  const producer = graph.producers.get(name);
  if (producer?.opType === 'Identity') return constantMatrix(producer.inputs[0], graph);
  const permutation = producer?.intAttributes.get('perm');
  const transposed = producer?.opType === 'Transpose' && (permutation === undefined || (permutation[0] === 1 && permutation[1] === 0));
  if (producer && !transposed) return undefined;
  const source = graph.initializers.get(transposed ? producer.inputs[0] : name);
  // Weights in external data are still a constant matrix, known by type and shape (`weightColumnSums` says whether it can sum them).
  if (source?.dims.length !== 2 || !(hasIntegerValues(source) || (source.external && isQuantizedMatrix(source.elementType, 2))))
    return undefined;
  const [sourceRows, sourceColumns] = source.dims;
  return { source, transposed, rows: transposed ? sourceColumns : sourceRows, columns: transposed ? sourceRows : sourceColumns };
}

function matrixColumnSums(
  { source, transposed, columns }: ConstantMatrix,
  readExternalData: ExternalDataReader | undefined,
): Int32Array | undefined {
  const values = integerView(
    source,
    readExternalData && ((range, byteLength) => readExternalData(range.location, range.offset, range.length ?? byteLength)),
  );
  if (!values) return undefined;
  const [sourceRows, sourceColumns] = source.dims;
  const sums = new Int32Array(columns);
  // Two loops, each reading the matrix in its order: a transposed matrix's columns are its rows.
  if (transposed) {
    for (let row = 0; row < sourceRows; row++) {
      let sum = 0;
      const start = row * sourceColumns;
      for (let column = 0; column < sourceColumns; column++) sum += values[start + column];
      sums[row] = sum;
    }
  } else {
    for (let row = 0; row < sourceRows; row++) {
      const start = row * sourceColumns;
      for (let column = 0; column < sourceColumns; column++) sums[column] += values[start + column];
    }
  }
  return sums;
}

/** The attention mask as `[batch, sequence, 1]` booleans, and that shape, shared by every quantizer. */
function sharedNodes(): Uint8Array[] {
  return [
    encodeNode({ name: names.batchSequence, opType: 'Shape', inputs: [maskInput], outputs: [names.batchSequence] }),
    encodeNode({
      name: names.rowShape,
      opType: 'Concat',
      inputs: [names.batchSequence, names.oneInt64],
      outputs: [names.rowShape],
      intAttributes: { axis: 0 },
    }),
    encodeNode({
      name: names.maskBool,
      opType: 'Cast',
      inputs: [maskInput],
      outputs: [names.maskBool],
      intAttributes: { to: ElementType.bool },
    }),
    encodeNode({ name: names.realToken, opType: 'Reshape', inputs: [names.maskBool, names.rowShape], outputs: [names.realToken] }),
  ];
}

/** `flat` only with a DequantizeLinear to read it: onnxruntime logs every unused initializer it removes. */
function sharedInitializers(opset: number, flat: boolean): Uint8Array[] {
  const scalar = (name: string, value: number) =>
    encodeInitializer({ name, elementType: ElementType.float, dims: [], values: Float32Array.of(value) });
  const int64s = (name: string, values: number[]) =>
    encodeInitializer({ name, elementType: ElementType.int64, dims: [values.length], values: BigInt64Array.from(values, BigInt) });
  return [
    scalar(names.zero, 0),
    scalar(names.one, 1),
    scalar(names.quantizedMax, 255),
    int64s(names.oneInt64, [1]),
    int64s(names.columnShape, [-1, 1, 1]),
    ...(flat ? [int64s(names.flat, [-1])] : []),
    ...(opset >= 18 ? [int64s(names.lastAxis, [-1]), int64s(names.sequenceAxes, [1, 2])] : []),
  ];
}

/** The int32 zero point of each input, `[batch, 1, 1]` or repeated on every row. */
function sequenceZeroPoints(quantizer: OnnxNode): string {
  return `${quantizer.inputs[0]}/${prefix}/zero_points`;
}

/** Whether a MatMulInteger's output reaches a graph output through per-element ops alone: the logits' projection. */
function feedsOutputRowByRow(
  matMul: OnnxNode,
  consumers: ReadonlyMap<string, readonly OnnxNode[]>,
  graphOutputs: ReadonlySet<string>,
): boolean {
  let current = matMul.outputs[0];
  for (let step = 0; step < 16; step++) {
    if (graphOutputs.has(current)) return true;
    const readers = consumers.get(current) ?? [];
    if (readers.length !== 1 || !perPositionOps.has(readers[0].opType)) return false;
    current = readers[0].outputs[0];
  }
  return false;
}

/**
 * DynamicQuantizeLinear(x) → (quantized, scale, zero point), per input. The scale keeps its name and
 * becomes `[batch, 1, 1]`, or `[batch, sequence, 1]` (each row holding its input's) with `perRow`,
 * so the Muls reading it broadcast as before; the zero point becomes int32 for the MatMulIntegers' shift.
 */
function perSequenceQuantizer(quantizer: OnnxNode, opset: number, perRow: boolean): Uint8Array[] {
  const [x] = quantizer.inputs;
  const [quantized, scaleOut] = quantizer.outputs;
  const p = (name: string) => `${x}/${prefix}/${name}`;
  const node = (opType: string, inputs: string[], output: string, intAttributes?: Record<string, number | number[]>) =>
    encodeNode({ name: output, opType, inputs, outputs: [output], intAttributes });
  const reduce = (opType: string, input: string, output: string, axes: 'last' | 'sequence') => {
    const keepdims = axes === 'last' ? 1 : 0;
    if (opset >= 18) return node(opType, [input, axes === 'last' ? names.lastAxis : names.sequenceAxes], output, { keepdims });
    return node(opType, [input], output, { axes: axes === 'last' ? [-1] : [1, 2], keepdims });
  };
  // A per-input value as [batch, 1, 1], or repeated on every row.
  const spread = (input: string, output: string) =>
    perRow
      ? [node('Reshape', [input, names.columnShape], `${output}/column`), node('Expand', [`${output}/column`, names.rowShape], output)]
      : [node('Reshape', [input, names.columnShape], output)];
  return [
    // The range of each input's real tokens, widened to include 0: each row's range first, padding rows counted as 0.
    reduce('ReduceMax', x, p('row_max'), 'last'),
    reduce('ReduceMin', x, p('row_min'), 'last'),
    node('Where', [names.realToken, p('row_max'), names.zero], p('token_max')),
    node('Where', [names.realToken, p('row_min'), names.zero], p('token_min')),
    reduce('ReduceMax', p('token_max'), p('max'), 'sequence'),
    reduce('ReduceMin', p('token_min'), p('min'), 'sequence'),
    node('Max', [p('max'), names.zero], p('high')),
    node('Min', [p('min'), names.zero], p('low')),
    // scale = high == low ? 1 : (high - low) / 255
    node('Sub', [p('high'), p('low')], p('span')),
    node('Div', [p('span'), names.quantizedMax], p('span_scale')),
    node('Equal', [p('high'), p('low')], p('empty_range')),
    node('Where', [p('empty_range'), names.one, p('span_scale')], p('scale')),
    // zero point = round half to even(clamp(0 - low / scale, 0, 255))
    node('Div', [p('low'), p('scale')], p('low_steps')),
    node('Sub', [names.zero, p('low_steps')], p('zero_point_exact')),
    node('Min', [p('zero_point_exact'), names.quantizedMax], p('zero_point_below_max')),
    node('Max', [p('zero_point_below_max'), names.zero], p('zero_point_clamped')),
    node('Round', [p('zero_point_clamped')], p('zero_point_float')),
    node('Cast', [p('zero_point_float')], p('zero_point'), { to: ElementType.uint8 }),
    // Each input quantized with its own scale and zero point (per axis 0: one per input).
    node('QuantizeLinear', [x, p('scale'), p('zero_point')], quantized, { axis: 0 }),
    ...spread(p('scale'), scaleOut),
    node('Cast', [p('zero_point_float')], p('zero_point_int32'), { to: ElementType.int32 }),
    ...spread(p('zero_point_int32'), sequenceZeroPoints(quantizer)),
  ];
}

/** MatMulInteger(a, B, a's zero point, B's) = MatMulInteger(a, B, 0, B's) - a's zero point × column sums of (B - B's zero point). */
function shiftedMatMul(matMul: OnnxNode, shift: ZeroPointShift): Uint8Array[] {
  const [quantized, weights, , weightZeroPoint = ''] = matMul.inputs;
  const [output] = matMul.outputs;
  const unshifted = `${output}/${prefix}/unshifted`;
  const correction = `${output}/${prefix}/zero_point_shift`;
  return [
    encodeNode({
      name: unshifted,
      opType: 'MatMulInteger',
      inputs: weightZeroPoint === '' ? [quantized, weights] : [quantized, weights, '', weightZeroPoint],
      outputs: [unshifted],
    }),
    encodeNode({ name: correction, opType: 'Mul', inputs: [shift.zeroPoints, shift.columnSums], outputs: [correction] }),
    encodeNode({ name: output, opType: 'Sub', inputs: [unshifted, correction], outputs: [output] }),
  ];
}

function dequantize(mul: OnnxNode, { accumulator, scaleProduct }: Dequantization): Uint8Array[] {
  const perInput = `${mul.outputs[0]}/${prefix}/scale_per_input`;
  return [
    encodeNode({ name: perInput, opType: 'Reshape', inputs: [scaleProduct, names.flat], outputs: [perInput] }),
    encodeNode({
      name: mul.outputs[0],
      opType: 'DequantizeLinear',
      inputs: [accumulator, perInput],
      outputs: [mul.outputs[0]],
      intAttributes: { axis: 0 },
    }),
  ];
}

function skipped(reason: string): { readonly kind: 'skipped'; readonly reason: string } {
  return { kind: 'skipped', reason };
}

/** The ranks the graph's value_info declares for these tensors (read in one pass); a tensor it does not describe is absent. */
function declaredRanks(model: Uint8Array, graphFields: readonly WireField[], names: ReadonlySet<string>): Map<string, number> {
  const ranks = new Map<string, number>();
  for (const field of graphFields) {
    if (field.number !== GraphField.valueInfo) continue;
    const info = readValueInfo(model, field);
    if (names.has(info.name) && info.shape !== undefined) ranks.set(info.name, info.shape.length);
  }
  return ranks;
}
