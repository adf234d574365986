import {
  externalDataFields,
  rangeOfSize,
  tensorExternalData,
  type ExternalDataRange,
  type SizedExternalDataRange,
} from './external-data.js';
import { DataLocation, ElementType, GraphField, TensorField } from './onnx-fields.js';
import {
  concatBytes,
  encodeMessageField,
  encodeStringField,
  encodeVarint,
  encodeVarintField,
  fieldText,
  fieldVarint,
  readFields,
  repeatedInt64,
  WireType,
  type WireField,
} from './protobuf-wire.js';

/** An initializer (a TensorProto in the graph), its values located but not decoded. */
export interface OnnxInitializer {
  readonly name: string;
  readonly dims: readonly number[];
  readonly elementType: number | undefined;
  /** `raw_data`, little-endian; absent when the values sit in a typed field or in an external file. */
  readonly rawData: Uint8Array | undefined;
  /** `int32_data`: where small integer types (uint8, int8, int32) keep their values when not raw. */
  readonly int32Data: readonly number[];
  readonly external: boolean;
  /** Where its values lie, when `external`. */
  readonly externalData?: ExternalDataRange;
}

/** A quantized model's weight matrix: int8 or uint8, rank 2. Only its shape and type are read, unless its columns are summed (`quantizePerSequence`). */
export function isQuantizedMatrix(elementType: number | undefined, rank: number): boolean {
  return (elementType === ElementType.int8 || elementType === ElementType.uint8) && rank === 2;
}

export function readInitializers(bytes: Uint8Array, graphFields: readonly WireField[]): Map<string, OnnxInitializer> {
  const initializers = new Map<string, OnnxInitializer>();
  for (const field of graphFields) {
    if (field.number !== GraphField.initializer) continue;
    const parts = readFields(bytes, field.valueStart, field.valueEnd);
    const name = parts.find((part) => part.number === TensorField.name);
    if (!name) continue;
    const dataType = parts.find((part) => part.number === TensorField.dataType);
    const raw = parts.find((part) => part.number === TensorField.rawData);
    const location = parts.find((part) => part.number === TensorField.dataLocation);
    initializers.set(fieldText(bytes, name), {
      name: fieldText(bytes, name),
      dims: repeatedInt64(
        bytes,
        parts.filter((part) => part.number === TensorField.dims),
      ),
      elementType: dataType ? fieldVarint(bytes, dataType) : undefined,
      rawData: raw ? bytes.subarray(raw.valueStart, raw.valueEnd) : undefined,
      int32Data: repeatedInt64(
        bytes,
        parts.filter((part) => part.number === TensorField.int32Data),
      ),
      external: location !== undefined && fieldVarint(bytes, location) === DataLocation.external,
      externalData: tensorExternalData(bytes, parts),
    });
  }
  return initializers;
}

/** An initializer's name, read without decoding the rest of it ('' when it has none). */
export function initializerName(bytes: Uint8Array, field: WireField): string {
  const name = readFields(bytes, field.valueStart, field.valueEnd).find((part) => part.number === TensorField.name);
  return name ? fieldText(bytes, name) : '';
}

/** Whether `integerValues` can read the initializer, without reading it. */
export function hasIntegerValues(initializer: OnnxInitializer): boolean {
  const count = initializer.dims.reduce((product, size) => product * size, 1);
  const { rawData, elementType } = initializer;
  if (initializer.external) return false;
  if (rawData === undefined) return initializer.int32Data.length === count;
  const width = elementType === ElementType.uint8 || elementType === ElementType.int8 ? 1 : elementType === ElementType.int32 ? 4 : 0;
  return width > 0 && rawData.length === count * width;
}

/** The values of a uint8, int8 or int32 initializer, or undefined for another type or external data. */
export function integerValues(initializer: OnnxInitializer): Int32Array | undefined {
  const count = initializer.dims.reduce((product, size) => product * size, 1);
  const { rawData, elementType } = initializer;
  if (initializer.external) return undefined;
  if (rawData === undefined) return initializer.int32Data.length === count ? Int32Array.from(initializer.int32Data) : undefined;
  const view = new DataView(rawData.buffer, rawData.byteOffset, rawData.byteLength);
  switch (elementType) {
    case ElementType.uint8:
      return rawData.length === count ? Int32Array.from(rawData) : undefined;
    case ElementType.int8:
      return rawData.length === count ? Int32Array.from(new Int8Array(rawData.buffer, rawData.byteOffset, rawData.byteLength)) : undefined;
    case ElementType.int32:
      return rawData.length === count * 4 ? Int32Array.from({ length: count }, (_, index) => view.getInt32(index * 4, true)) : undefined;
    default:
      return undefined;
  }
}

/** A new initializer with its values as raw little-endian bytes. */
export function encodeInitializer(tensor: {
  name: string;
  elementType: number;
  dims: readonly number[];
  values: Float32Array | Int32Array | BigInt64Array;
}): Uint8Array {
  const { values } = tensor;
  const raw = new Uint8Array(values.byteLength);
  const view = new DataView(raw.buffer);
  // ONNX stores raw data little-endian, whatever the machine's order.
  for (let index = 0; index < values.length; index++) {
    if (values instanceof Float32Array) view.setFloat32(index * 4, values[index], true);
    else if (values instanceof Int32Array) view.setInt32(index * 4, values[index], true);
    else view.setBigInt64(index * 8, values[index], true);
  }
  return encodeRawInitializer({ ...tensor, raw });
}

/** A new initializer around bytes already in ONNX's raw (little-endian) layout. */
export function encodeRawInitializer(tensor: RawTensor): Uint8Array {
  return concatBytes(rawInitializerParts(tensor));
}

interface RawTensor {
  readonly name: string;
  readonly elementType: number;
  readonly dims: readonly number[];
  readonly raw: Uint8Array;
}

/**
 * `encodeRawInitializer` as two parts to be concatenated, the second the raw values themselves, not
 * copied: a rewrite adding hundreds of megabytes of weights to a graph copies them once, into the
 * graph (`replaceGraph`), rather than once per level of nesting.
 */
export function rawInitializerParts(tensor: RawTensor): [Uint8Array, Uint8Array] {
  const head = [
    ...tensor.dims.map((size) => encodeVarintField(TensorField.dims, size)),
    encodeVarintField(TensorField.dataType, tensor.elementType),
    encodeStringField(TensorField.name, tensor.name),
    encodeVarint(TensorField.rawData * 8 + WireType.LengthDelimited),
    encodeVarint(tensor.raw.length),
  ];
  const length = head.reduce((total, part) => total + part.length, 0) + tensor.raw.length;
  return [concatBytes([encodeVarint(GraphField.initializer * 8 + WireType.LengthDelimited), encodeVarint(length), ...head]), tensor.raw];
}

/** A new initializer whose values lie in external data: another name and shape for bytes already in a file, which the runtime reads itself. */
export function encodeExternalInitializer(tensor: {
  name: string;
  elementType: number;
  dims: readonly number[];
  range: SizedExternalDataRange;
}): Uint8Array {
  return encodeMessageField(GraphField.initializer, [
    ...tensor.dims.map((size) => encodeVarintField(TensorField.dims, size)),
    encodeVarintField(TensorField.dataType, tensor.elementType),
    encodeStringField(TensorField.name, tensor.name),
    ...externalDataFields(tensor.range),
  ]);
}

/**
 * The values of an int8 or uint8 initializer as they lie, without widening them (a vocabulary
 * projection has tens of millions), read through `readExternal` when they are in external data;
 * other types and unreadable values fall back to `integerValues`.
 */
export function integerView(
  initializer: OnnxInitializer,
  readExternal?: (range: ExternalDataRange, byteLength: number) => Uint8Array,
): ArrayLike<number> | undefined {
  const count = initializer.dims.reduce((product, size) => product * size, 1);
  const { elementType } = initializer;
  if (elementType !== ElementType.int8 && elementType !== ElementType.uint8) return integerValues(initializer);
  if (initializer.external && !rangeOfSize(initializer.externalData, count)) return undefined;
  const range = initializer.external ? initializer.externalData : undefined;
  const raw = range ? readExternal?.(range, count) : initializer.rawData;
  if (raw === undefined) return integerValues(initializer);
  if (raw.length !== count) return undefined;
  return elementType === ElementType.uint8 ? raw : new Int8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}
