import { ElementType, GraphField, ModelField, NodeField } from '../graph/onnx-fields.js';
import { initializerName, readInitializers, type OnnxInitializer } from '../graph/onnx-initializer.js';
import { readOnnxModel, type OnnxModelView } from '../graph/onnx-model.js';
import { encodeNode, isDefaultDomain, linkNodes, type OnnxNode } from '../graph/onnx-node.js';
import { readValueInfo } from '../graph/onnx-value-info.js';
import { encodeMessageField, encodeStringField, encodeVarint, fieldText, readFields, WireType } from '../graph/protobuf-wire.js';
import {
  float32Values,
  isFloat32Initializer,
  quantizedColumns,
  quantizedNames,
  quantizedUint8Tensor,
  type GraphPart,
  type QuantizedTensor,
} from './quantize-initializers.js';

/**
 * An fp32 masked-LM graph (`buildMaskedLmGraph`'s) quantized as transformers.js' q8 conversion
 * quantizes an export: onnxruntime's dynamic quantizer (`ONNXQuantizer`, IntegerOps, weights QInt8
 * per channel with reduced range, activations QUInt8, op types `IntegerOpsRegistry`,
 * MatMulConstBOnly), with the same values and the same nodes, named as it names them:
 *
 * - every MatMul by a constant weight matrix (attention projections, feed-forward, head transform):
 *   `DynamicQuantizeLinear(x)` (one per activation, shared by the products reading it) →
 *   `MatMulInteger(x, W)` → `Cast` to float → `Mul` by `Mul(x scale, W scale)`, W int8 in [-64, 64]
 *   with one scale per output column and zero points 0;
 * - a MatMul whose left operand is an initializer too (DeBERTa-v2's relative embeddings) reads it
 *   quantized once, uint8, as onnxruntime quantizes an initializer it takes for an activation;
 * - every Gather from a float table (word, position and token type embeddings) reads it quantized,
 *   uint8, one scale and zero point for the table, and a `DequantizeLinear` follows.
 *
 * Where it departs from onnxruntime on the same graph (`__fixtures__/q8/make_q8_reference.py` makes
 * the same choices, and the tests hold the two to the same bytes):
 * - the vocabulary projection is quantized, as the q8 exports among the repository's fixtures do it,
 *   where MatMulConstBOnly would leave a product by `Transpose(table)` in fp32: a decoder tied to the
 *   word embeddings reads, through its Transpose, the uint8 table the embeddings' Gather reads (the
 *   quantizer's own treatment of a Transpose of a quantized table), so the vocabulary matrix stays in
 *   the graph once; an untied decoder is quantized per column like any weight, its transpose written
 *   out, as torch's exporter folds it;
 * - a Transpose of a quantized activation stays fp32, and so does a MatMul whose left operand is
 *   computed from initializers alone (DeBERTa-v3's normalized relative embeddings): either would
 *   keep the per-input batch variant (`quantizePerSequence`) from applying;
 * - a Conv (DeBERTa-v2's) stays fp32, and the weights int8, where transformers.js would make every
 *   weight uint8 and the Conv a ConvInteger, which the batch variant cannot take either.
 *
 * Products of two computed tensors (attention) and every other op stay fp32, as onnxruntime leaves
 * them. The fp32 initializers nothing reads any more are dropped; the quantized values are written
 * straight into the new model, so quantizing costs the fp32 graph and the new one (about a quarter
 * of its size), no more. Throws a TypeError for bytes that hold no ONNX graph.
 */
export function quantizeMaskedLmGraph(graph: Uint8Array): Uint8Array {
  const model = readOnnxModel(graph);
  if (!model) throw new TypeError('quantizeMaskedLmGraph: the bytes hold no ONNX graph');
  const quantizer = new DynamicQuantization(model);
  for (const node of model.nodes) quantizer.visit(node);
  quantizer.dequantizeGraphOutputs();
  return assembleModel(model, quantizer.graphParts());
}

/** The walk over the graph's nodes, in order, that writes the quantized ones: onnxruntime's `ONNXQuantizer.quantize_model`. */
class DynamicQuantization {
  private readonly nodeParts: Uint8Array[] = [];
  private readonly initializerParts: GraphPart[] = [];
  private readonly initializers: ReadonlyMap<string, OnnxInitializer>;
  private readonly consumers: ReadonlyMap<string, readonly OnnxNode[]>;
  /** Quantized forms of tensors, by the float tensor's name (onnxruntime's `quantized_value_map`). */
  private readonly quantized = new Map<string, QuantizedTensor>();
  /** The quantized tensors computed from initializers alone (not activations), which a MatMul takes as its weights. */
  private readonly constant = new Set<string>();
  /**
   * Float tensors that are quantized and no longer there (a quantized Gather's or Transpose's output,
   * an initializer dropped for its quantized form): whoever still reads them needs a DequantizeLinear first.
   */
  private readonly awaitingDequantization = new Set<string>();
  /** Transposes of an untied decoder, dropped: the products read the transpose quantized and written out. Output → `[N, K]` initializer. */
  private readonly foldedTransposes = new Map<string, OnnxInitializer & { rawData: Uint8Array }>();
  /** Tensors computed from initializers alone, not initializers themselves (a Transpose of a table, a LayerNorm of DeBERTa's relative embeddings). */
  private readonly computedFromInitializers = new Set<string>();
  /** Every tensor the new nodes read, and every one they write: the initializers not read, or replaced by a DequantizeLinear's output, are dropped. */
  private readonly readTensors = new Set<string>();
  private readonly writtenTensors = new Set<string>();

  constructor(private readonly model: OnnxModelView) {
    this.initializers = readInitializers(model.bytes, model.graphFields);
    this.consumers = linkNodes(model.nodes).consumers;
    // Nodes are in topological order: one pass finds every tensor computed from initializers alone.
    for (const node of model.nodes) {
      const inputs = node.inputs.filter((input) => input !== '');
      if (inputs.every((input) => this.initializers.has(input) || this.computedFromInitializers.has(input))) {
        for (const output of node.outputs) this.computedFromInitializers.add(output);
      }
    }
  }

  visit(node: OnnxNode): void {
    const quantized =
      isDefaultDomain(node) &&
      ((node.opType === 'Gather' && this.gather(node)) ||
        (node.opType === 'Transpose' && this.transpose(node)) ||
        (node.opType === 'MatMul' && this.matMul(node)));
    if (!quantized) this.keep(node);
  }

  /** DequantizeLinear for the graph outputs that are now quantized (onnxruntime's `_dequantize_outputs`). */
  dequantizeGraphOutputs(): void {
    for (const field of this.model.graphFields) {
      if (field.number === GraphField.output) this.dequantize(readValueInfo(this.model.bytes, field).name);
    }
  }

  /** The nodes, the initializers still read, the graph's other fields, then the new initializers. */
  graphParts(): GraphPart[] {
    const { bytes, graphFields } = this.model;
    const kept = graphFields
      .filter((field) => field.number !== GraphField.node)
      .filter((field) => {
        if (field.number !== GraphField.initializer) return true;
        const name = initializerName(bytes, field);
        return this.readTensors.has(name) && !this.writtenTensors.has(name);
      })
      .map((field) => bytes.subarray(field.start, field.end));
    return [...this.nodeParts, ...kept, ...this.initializerParts];
  }

  /** A node left as it is, after the DequantizeLinears of the quantized tensors it reads (onnxruntime's `QuantOperatorBase.quantize`). */
  private keep(node: OnnxNode): void {
    for (const input of node.inputs) this.dequantize(input);
    this.emitCopy(node);
  }

  /** `Gather(table, indices)` of a float table → `Gather(quantized table, indices)`, the output quantized (`GatherQuant`). */
  private gather(node: OnnxNode): boolean {
    const table = this.quantizedTable(node.inputs[0]);
    if (!table) return false;
    this.emitQuantizedPassThrough(node, table);
    return true;
  }

  /**
   * A Transpose of a quantized table → the Transpose of its quantized form (`Direct8BitOp`). A
   * Transpose of an untied decoder, read by products alone, is folded into their weights instead.
   * A Transpose of a quantized activation stays fp32, reading the float activation, where
   * onnxruntime would transpose the quantized one: the per-input batch variant (`quantizePerSequence`)
   * takes only activations that MatMulIntegers alone read.
   */
  private transpose(node: OnnxNode): boolean {
    const [input] = node.inputs;
    const quantized = this.quantized.get(input);
    if (quantized?.perTensor && this.initializers.has(input)) {
      this.emitQuantizedPassThrough(node, quantized);
      this.constant.add(node.outputs[0]);
      return true;
    }
    const source = this.initializers.get(input);
    const folded = `${input}/transposed`;
    const readers = this.consumers.get(node.outputs[0]) ?? [];
    const foldable =
      !quantized &&
      isFloat32Initializer(source) &&
      source.dims.length === 2 &&
      isMatrixTranspose(node) &&
      !this.initializers.has(folded) &&
      readers.length > 0 &&
      readers.every((reader) => isProductBy(reader, node.outputs[0]) && this.quantizesProducts(reader));
    if (!foldable) return false;
    this.foldedTransposes.set(node.outputs[0], source);
    return true;
  }

  /** MatMul(x, W) with W constant → DynamicQuantizeLinear, MatMulInteger, Cast, Mul (onnxruntime's `MatMulInteger` op quantizer). */
  private matMul(node: OnnxNode): boolean {
    const [input, weight] = node.inputs;
    if (node.inputs.length !== 2 || node.outputs.length !== 1 || !this.quantizesProducts(node)) return false;
    const weights = this.weightsOf(weight);
    if (!weights) return false;
    const activation = this.quantized.get(input) ?? this.quantizedTable(input) ?? this.dynamicQuantizer(input);
    const name = nodeName(this.model.bytes, node);
    const [output] = node.outputs;
    const integerProduct = `${output}_output_quantized`;
    const floatProduct = `${integerProduct}_cast_output`;
    const scalesName = name ? `${name}_quant_scales_mul` : `${activation.scale}_${weights.scale}_mul`;
    this.emit(
      {
        name: name && `${name}_quant`,
        opType: 'MatMulInteger',
        inputs: [activation.quantized, weights.quantized, activation.zeroPoint, weights.zeroPoint],
        outputs: [integerProduct],
      },
      {
        name: `${integerProduct}_cast`,
        opType: 'Cast',
        inputs: [integerProduct],
        outputs: [floatProduct],
        intAttributes: { to: ElementType.float },
      },
      { name: scalesName, opType: 'Mul', inputs: [activation.scale, weights.scale], outputs: [`${scalesName}:0`] },
      { name: name && `${name}_quant_output_scale_mul`, opType: 'Mul', inputs: [floatProduct, `${scalesName}:0`], outputs: [output] },
    );
    return true;
  }

  /**
   * Whether a product's left operand can be quantized: not computed from initializers alone (a
   * DynamicQuantizeLinear of a constant, DeBERTa's normalized relative embeddings, would be taken by
   * quantizePerSequence for an activation of the batch), nor already quantized per column.
   */
  private quantizesProducts(node: OnnxNode): boolean {
    const [input] = node.inputs;
    return !this.computedFromInitializers.has(input) && this.quantized.get(input)?.perTensor !== false;
  }

  /**
   * The quantized right operand of a product, when it is constant (MatMulConstBOnly): an initializer,
   * quantized per column unless already quantized (a table a Gather reads); a Transpose of a
   * quantized table; a folded Transpose of an untied decoder.
   */
  private weightsOf(name: string): QuantizedTensor | undefined {
    if (this.constant.has(name)) return this.quantized.get(name);
    const folded = this.foldedTransposes.get(name);
    if (folded) {
      const [columns, rows] = folded.dims;
      return this.remember(`${folded.name}/transposed`, () =>
        quantizedColumns(`${folded.name}/transposed`, () => ({ values: float32Values(folded), rows, columns, transposedSource: true })),
      );
    }
    const initializer = this.initializers.get(name);
    if (!isFloat32Initializer(initializer) || initializer.dims.length !== 2) return undefined;
    const [rows, columns] = initializer.dims;
    return this.remember(name, () => quantizedColumns(name, () => ({ values: float32Values(initializer), rows, columns })));
  }

  /**
   * A float initializer quantized as onnxruntime quantizes one it takes for an activation (a Gather's
   * table, a constant left operand): uint8, one scale for the whole tensor; undefined for anything else.
   */
  private quantizedTable(name: string): QuantizedTensor | undefined {
    const existing = this.quantized.get(name);
    if (existing) return this.constant.has(name) && existing.perTensor ? existing : undefined;
    const initializer = this.initializers.get(name);
    if (!isFloat32Initializer(initializer)) return undefined;
    return this.remember(name, () => quantizedUint8Tensor(initializer));
  }

  /**
   * The initializer's quantized form, made once and shared by every node that reads it (ALBERT's
   * layers, tied embeddings). The nodes left in fp32 that read it afterwards read it dequantized, as
   * onnxruntime has them (DeBERTa-v3's position projections share the attention's weights), unless
   * one read it before: then the fp32 initializer stays.
   */
  private remember(name: string, quantize: () => { tensor: QuantizedTensor; parts: GraphPart[] }): QuantizedTensor {
    const existing = this.quantized.get(name);
    if (existing) return existing;
    const { tensor, parts } = quantize();
    this.initializerParts.push(...parts);
    this.quantized.set(name, tensor);
    this.constant.add(name);
    if (this.initializers.has(name) && !this.readTensors.has(name)) this.awaitingDequantization.add(name);
    return tensor;
  }

  /** `DynamicQuantizeLinear(x)`, named as onnxruntime names it, written before the first product that reads it. */
  private dynamicQuantizer(input: string): QuantizedTensor {
    const tensor = quantizedNames(input, true);
    this.emit({
      name: `${input}_QuantizeLinear`,
      opType: 'DynamicQuantizeLinear',
      inputs: [input],
      outputs: [tensor.quantized, tensor.scale, tensor.zeroPoint],
    });
    this.quantized.set(input, tensor);
    return tensor;
  }

  /** The node reading `source`'s quantized form and writing `<output>_quantized` (same scale and zero point); its output awaits dequantization. */
  private emitQuantizedPassThrough(node: OnnxNode, source: QuantizedTensor): void {
    const [output] = node.outputs;
    const tensor: QuantizedTensor = { ...source, quantized: `${output}_quantized` };
    for (const input of node.inputs.slice(1)) this.dequantize(input);
    this.emitCopy(node, new Map([[node.inputs[0], source.quantized]]), new Map([[output, tensor.quantized]]));
    this.quantized.set(output, tensor);
    this.awaitingDequantization.add(output);
  }

  private dequantize(name: string): void {
    if (!this.awaitingDequantization.delete(name)) return;
    const { quantized, scale, zeroPoint, axis } = this.quantized.get(name)!;
    this.emit({
      name: `${name}_DequantizeLinear`,
      opType: 'DequantizeLinear',
      inputs: [quantized, scale, zeroPoint],
      outputs: [name],
      intAttributes: axis === undefined ? undefined : { axis },
    });
  }

  private emit(...nodes: Parameters<typeof encodeNode>[0][]): void {
    for (const node of nodes) {
      for (const input of node.inputs) this.readTensors.add(input);
      for (const output of node.outputs) this.writtenTensors.add(output);
      this.nodeParts.push(encodeNode(node));
    }
  }

  /** The node's bytes, with the inputs and outputs named in `renamedInputs` and `renamedOutputs` renamed. */
  private emitCopy(node: OnnxNode, renamedInputs = new Map<string, string>(), renamedOutputs = new Map<string, string>()): void {
    const { bytes } = this.model;
    for (const input of node.inputs) this.readTensors.add(renamedInputs.get(input) ?? input);
    for (const output of node.outputs) this.writtenTensors.add(renamedOutputs.get(output) ?? output);
    if (renamedInputs.size === 0 && renamedOutputs.size === 0) {
      this.nodeParts.push(bytes.subarray(node.field.start, node.field.end));
      return;
    }
    const parts = readFields(bytes, node.field.valueStart, node.field.valueEnd).map((part) => {
      const renames = part.number === NodeField.input ? renamedInputs : part.number === NodeField.output ? renamedOutputs : undefined;
      const renamed = renames?.get(fieldText(bytes, part));
      return renamed === undefined ? bytes.subarray(part.start, part.end) : encodeStringField(part.number, renamed);
    });
    this.nodeParts.push(encodeMessageField(GraphField.node, parts));
  }
}

function nodeName(bytes: Uint8Array, node: OnnxNode): string {
  const name = readFields(bytes, node.field.valueStart, node.field.valueEnd).find((part) => part.number === NodeField.name);
  return name ? fieldText(bytes, name) : '';
}

function isMatrixTranspose(node: OnnxNode): boolean {
  const permutation = node.intAttributes.get('perm');
  return permutation === undefined || (permutation.length === 2 && permutation[0] === 1 && permutation[1] === 0);
}

/** A default-domain MatMul reading `name` as its right operand only. */
function isProductBy(node: OnnxNode, name: string): boolean {
  return (
    isDefaultDomain(node) && node.opType === 'MatMul' && node.inputs.length === 2 && node.inputs[1] === name && node.inputs[0] !== name
  );
}

/** The model with its graph made of `graphParts`, every other field kept: one allocation, the deferred values written in place. */
function assembleModel(model: OnnxModelView, graphParts: readonly GraphPart[]): Uint8Array {
  const graphLength = graphParts.reduce((total, part) => total + part.byteLength, 0);
  const parts = model.modelFields.flatMap((field): GraphPart[] =>
    field === model.graphField
      ? [encodeVarint(ModelField.graph * 8 + WireType.LengthDelimited), encodeVarint(graphLength), ...graphParts]
      : [model.bytes.subarray(field.start, field.end)],
  );
  const assembled = new Uint8Array(parts.reduce((total, part) => total + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    if (part instanceof Uint8Array) assembled.set(part, offset);
    else part.write(assembled.subarray(offset, offset + part.byteLength));
    offset += part.byteLength;
  }
  return assembled;
}
