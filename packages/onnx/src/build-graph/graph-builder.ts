import { ElementType, GraphField, ModelField, OpsetField, TensorField } from '../graph/onnx-fields.js';
import { encodeValueInfo, type Dimension } from '../graph/onnx-value-info.js';
import { concatBytes, encodeMessageField, encodeStringField, encodeVarint, encodeVarintField, WireType } from '../graph/protobuf-wire.js';
import { encodeGraphNode, type NodeAttribute } from './graph-node.js';
import { literalFloat32Values, type InitializerValues } from './initializer-values.js';

/** Opset 17: the first with LayerNormalization, which onnxruntime-web runs on WASM and WebGPU. */
export const builtGraphOpset = 17;
/** IR version 8, the one opset 17 came with. */
const irVersion = 8;
const ModelProtoField = { irVersion: 1, producerName: 2 } as const;
const GraphProtoField = { name: 2 } as const;

interface InitializerEntry {
  readonly head: Uint8Array;
  readonly values: InitializerValues;
}

/**
 * Accumulates the nodes, initializers, inputs and outputs of one graph and encodes them as an ONNX
 * ModelProto. Node and tensor names are made unique here; initializers keep the names given.
 */
export class GraphBuilder {
  private readonly nodes: Uint8Array[] = [];
  private readonly initializers = new Map<string, InitializerEntry>();
  private readonly inputs: Uint8Array[] = [];
  private readonly outputs: Uint8Array[] = [];
  private readonly usedNames = new Set<string>();

  addInput(name: string, elementType: number, shape: readonly Dimension[]): string {
    this.usedNames.add(name);
    this.inputs.push(encodeValueInfo(GraphField.input, { name, elementType, shape }));
    return name;
  }

  addOutput(name: string, elementType: number, shape: readonly Dimension[]): void {
    this.outputs.push(encodeValueInfo(GraphField.output, { name, elementType, shape }));
  }

  hasInitializer(name: string): boolean {
    return this.initializers.has(name);
  }

  /** An initializer whose values are written when the model is encoded; returns its name. */
  addInitializer(name: string, elementType: number, dims: readonly number[], values: InitializerValues): string {
    if (this.initializers.has(name)) throw new Error(`initializer ${name} added twice`);
    this.usedNames.add(name);
    const head = [
      ...dims.map((size) => encodeVarintField(TensorField.dims, size)),
      encodeVarintField(TensorField.dataType, elementType),
      encodeStringField(TensorField.name, name),
      encodeVarint(TensorField.rawData * 8 + WireType.LengthDelimited),
      encodeVarint(values.byteLength),
    ];
    const length = head.reduce((total, part) => total + part.length, 0) + values.byteLength;
    this.initializers.set(name, {
      head: concatBytes([encodeVarint(GraphField.initializer * 8 + WireType.LengthDelimited), encodeVarint(length), ...head]),
      values,
    });
    return name;
  }

  /** A float32 constant of the given shape (a scalar when `dims` is empty), shared by every node that uses the same one. */
  floatConstant(values: readonly number[], dims: readonly number[] = []): string {
    const name = `fillmask_constant/float[${dims.join(',')}]=${values.join(',')}`;
    if (!this.initializers.has(name)) this.addInitializer(name, ElementType.float, dims, literalFloat32Values(Float32Array.from(values)));
    return name;
  }

  /** A small int64 constant of the given shape (a 1-D list by default: shapes, axes), shared like `floatConstant`'s. */
  int64Constant(values: readonly number[], dims: readonly number[] = [values.length]): string {
    const name = `fillmask_constant/int64[${dims.join(',')}]=${values.join(',')}`;
    return this.initializers.has(name) ? name : this.int64Tensor(name, values, dims);
  }

  /** An int64 initializer of the given name (a lookup table). */
  int64Tensor(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    const data = new BigInt64Array(values.map((value) => BigInt(value)));
    const bytes = new Uint8Array(data.length * 8);
    const view = new DataView(bytes.buffer);
    for (const [index, value] of data.entries()) view.setBigInt64(index * 8, value, true);
    return this.addInitializer(name, ElementType.int64, dims, { byteLength: bytes.length, write: (target) => target.set(bytes) });
  }

  /** One node with one output, named after `scope` and its op; returns the output's name. */
  op(scope: string, opType: string, inputs: readonly string[], attributes?: Readonly<Record<string, NodeAttribute>>): string {
    const name = this.uniqueName(`${scope}/${opType}`);
    const output = `${name}_output`;
    this.usedNames.add(output);
    this.nodes.push(encodeGraphNode({ name, opType, inputs, outputs: [output], attributes }));
    return output;
  }

  /** One node writing the graph output (or another tensor) of the given name. */
  opInto(
    output: string,
    scope: string,
    opType: string,
    inputs: readonly string[],
    attributes?: Readonly<Record<string, NodeAttribute>>,
  ): string {
    this.usedNames.add(output);
    this.nodes.push(encodeGraphNode({ name: this.uniqueName(`${scope}/${opType}`), opType, inputs, outputs: [output], attributes }));
    return output;
  }

  /** The size `encodeModel` will return, known before anything is written. */
  encodedByteLength(): number {
    return this.modelParts().reduce((total, part) => total + part.byteLength, 0);
  }

  /**
   * The ModelProto: one allocation of its final size, every initializer's values written into it
   * in place. Nodes are listed in the order they were added, which is a topological order.
   */
  encodeModel(): Uint8Array {
    const modelParts = this.modelParts();
    const model = new Uint8Array(modelParts.reduce((total, part) => total + part.byteLength, 0));
    let offset = 0;
    for (const part of modelParts) {
      if (part instanceof Uint8Array) model.set(part, offset);
      else part.write(model.subarray(offset, offset + part.byteLength));
      offset += part.byteLength;
    }
    return model;
  }

  /** The model's fields in order, initializer values still unwritten. */
  private modelParts(): Array<Uint8Array | InitializerValues> {
    const opset = encodeMessageField(ModelField.opsetImport, [
      encodeStringField(OpsetField.domain, ''),
      encodeVarintField(OpsetField.version, builtGraphOpset),
    ]);
    const graphParts: Array<Uint8Array | InitializerValues> = [
      ...this.nodes,
      encodeStringField(GraphProtoField.name, 'fillmask_masked_lm'),
    ];
    for (const { head, values } of this.initializers.values()) graphParts.push(head, values);
    graphParts.push(...this.inputs, ...this.outputs);
    const graphLength = graphParts.reduce((total, part) => total + part.byteLength, 0);
    return [
      encodeVarintField(ModelProtoField.irVersion, irVersion),
      encodeStringField(ModelProtoField.producerName, 'fillmask'),
      opset,
      concatBytes([encodeVarint(ModelField.graph * 8 + WireType.LengthDelimited), encodeVarint(graphLength)]),
      ...graphParts,
    ];
  }

  private uniqueName(base: string): string {
    let name = base;
    for (let index = 1; this.usedNames.has(name); index++) name = `${base}_${index}`;
    this.usedNames.add(name);
    return name;
  }
}
