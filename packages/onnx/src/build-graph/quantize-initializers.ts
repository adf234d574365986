import { ElementType, GraphField, TensorField } from '../graph/onnx-fields.js';
import { encodeInitializer, encodeRawInitializer, type OnnxInitializer } from '../graph/onnx-initializer.js';
import { concatBytes, encodeStringField, encodeVarint, encodeVarintField, WireType } from '../graph/protobuf-wire.js';
import { int8ColumnScales, uint8TensorQuantization, writeInt8Columns, writeUint8Tensor, type MatrixSource } from './quantize-values.js';

/** Bytes of the quantized model written only when it is assembled, straight into it, from the fp32 graph still at hand. */
export interface DeferredBytes {
  readonly byteLength: number;
  write(target: Uint8Array): void;
}

/** A piece of the quantized graph: bytes ready, or to be written in place. */
export type GraphPart = Uint8Array | DeferredBytes;

/** A quantized tensor as onnxruntime names it: `<name>_quantized`, `<name>_scale`, `<name>_zero_point`. */
export interface QuantizedTensor {
  readonly quantized: string;
  readonly scale: string;
  readonly zeroPoint: string;
  /** One scale for the whole tensor, which a Gather or a Transpose of it keeps, rather than one per column. */
  readonly perTensor: boolean;
  /** The axis of the scales when there is one per column (-1, as onnxruntime writes it on a DequantizeLinear). */
  readonly axis?: number;
}

export function quantizedNames(name: string, perTensor: boolean): QuantizedTensor {
  return { quantized: `${name}_quantized`, scale: `${name}_scale`, zeroPoint: `${name}_zero_point`, perTensor };
}

/** Whether the initializer holds float32 values in the graph itself (`raw_data`), as every weight of a built graph does. */
export function isFloat32Initializer(initializer: OnnxInitializer | undefined): initializer is OnnxInitializer & { rawData: Uint8Array } {
  if (!initializer || initializer.elementType !== ElementType.float || initializer.external || !initializer.rawData) return false;
  return initializer.rawData.length === initializer.dims.reduce((count, size) => count * size, 4);
}

const littleEndianHost = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The values of a float32 initializer: a view of the graph's bytes when aligned, else an aligned copy (one tensor at a time). */
export function float32Values(initializer: OnnxInitializer & { rawData: Uint8Array }): Float32Array {
  const { rawData } = initializer;
  const count = rawData.length / 4;
  if (!littleEndianHost) {
    const view = new DataView(rawData.buffer, rawData.byteOffset, rawData.length);
    return Float32Array.from({ length: count }, (_, index) => view.getFloat32(index * 4, true));
  }
  // `slice` copies into a buffer of its own, which starts aligned.
  const aligned = rawData.byteOffset % 4 === 0 ? rawData : rawData.slice();
  return new Float32Array(aligned.buffer, aligned.byteOffset, count);
}

/**
 * A MatMul's constant right operand `[rows, columns]` quantized per column to int8 (see
 * `int8ColumnScales`), as the initializers `<name>_quantized` (`[rows, columns]`), `<name>_scale`
 * and `<name>_zero_point` (`[columns]`, zeros). The scales are computed now; the int8 values are
 * written into the model when it is assembled, so no copy of them is kept meanwhile.
 */
export function quantizedColumns(name: string, matrix: () => MatrixSource): { tensor: QuantizedTensor; parts: GraphPart[] } {
  const source = matrix();
  const { rows, columns } = source;
  const scales = int8ColumnScales(source);
  const tensor: QuantizedTensor = { ...quantizedNames(name, false), axis: -1 };
  const values: DeferredBytes = {
    byteLength: rows * columns,
    write: (target) => writeInt8Columns(matrix(), scales, new Int8Array(target.buffer, target.byteOffset, target.byteLength)),
  };
  return {
    tensor,
    parts: [
      ...deferredInitializer(tensor.quantized, ElementType.int8, [rows, columns], values),
      encodeInitializer({ name: tensor.scale, elementType: ElementType.float, dims: [columns], values: scales }),
      encodeRawInitializer({ name: tensor.zeroPoint, elementType: ElementType.int8, dims: [columns], raw: new Uint8Array(columns) }),
    ],
  };
}

/**
 * An initializer onnxruntime quantizes as an activation (see `uint8TensorQuantization`): the values
 * `<name>_quantized` in its shape, the scalars `<name>_scale` and `<name>_zero_point`.
 */
export function quantizedUint8Tensor(initializer: OnnxInitializer & { rawData: Uint8Array }): {
  tensor: QuantizedTensor;
  parts: GraphPart[];
} {
  const quantization = uint8TensorQuantization(float32Values(initializer));
  const tensor = quantizedNames(initializer.name, true);
  const values: DeferredBytes = {
    byteLength: initializer.rawData.length / 4,
    write: (target) => writeUint8Tensor(float32Values(initializer), quantization, target),
  };
  return {
    tensor,
    parts: [
      ...deferredInitializer(tensor.quantized, ElementType.uint8, initializer.dims, values),
      encodeInitializer({ name: tensor.scale, elementType: ElementType.float, dims: [], values: Float32Array.of(quantization.scale) }),
      encodeRawInitializer({
        name: tensor.zeroPoint,
        elementType: ElementType.uint8,
        dims: [],
        raw: Uint8Array.of(quantization.zeroPoint),
      }),
    ],
  };
}

/** An initializer field whose `raw_data` is written later: its head (key, length, dims, type, name, raw_data's key and length), then the values. */
function deferredInitializer(
  name: string,
  elementType: number,
  dims: readonly number[],
  values: DeferredBytes,
): [Uint8Array, DeferredBytes] {
  const head = [
    ...dims.map((size) => encodeVarintField(TensorField.dims, size)),
    encodeVarintField(TensorField.dataType, elementType),
    encodeStringField(TensorField.name, name),
    encodeVarint(TensorField.rawData * 8 + WireType.LengthDelimited),
    encodeVarint(values.byteLength),
  ];
  const length = head.reduce((total, part) => total + part.length, 0) + values.byteLength;
  return [concatBytes([encodeVarint(GraphField.initializer * 8 + WireType.LengthDelimited), encodeVarint(length), ...head]), values];
}
