import { DimensionField, type GraphField, ShapeField, TensorTypeField, TypeField, ValueInfoField } from './onnx-fields.js';
import {
  encodeMessageField,
  encodeStringField,
  encodeVarintField,
  fieldText,
  fieldVarint,
  readFields,
  type WireField,
} from './protobuf-wire.js';

export type Dimension = number | string;

/** A graph input or output declared as a tensor: its element type and shape, when given. */
export interface TensorValueInfo {
  readonly name: string;
  readonly elementType: number | undefined;
  readonly shape: readonly Dimension[] | undefined;
}

export function readValueInfo(bytes: Uint8Array, field: WireField): TensorValueInfo {
  let name = '';
  let elementType: number | undefined;
  let shape: Dimension[] | undefined;
  for (const part of readFields(bytes, field.valueStart, field.valueEnd)) {
    if (part.number === ValueInfoField.name) name = fieldText(bytes, part);
    if (part.number !== ValueInfoField.type) continue;
    for (const typePart of readFields(bytes, part.valueStart, part.valueEnd)) {
      if (typePart.number !== TypeField.tensorType) continue;
      for (const tensorPart of readFields(bytes, typePart.valueStart, typePart.valueEnd)) {
        if (tensorPart.number === TensorTypeField.elemType) elementType = fieldVarint(bytes, tensorPart);
        if (tensorPart.number === TensorTypeField.shape) shape = readShape(bytes, tensorPart);
      }
    }
  }
  return { name, elementType, shape };
}

function readShape(bytes: Uint8Array, field: WireField): Dimension[] {
  return readFields(bytes, field.valueStart, field.valueEnd)
    .filter((part) => part.number === ShapeField.dim)
    .map((dimension) => {
      const [value] = readFields(bytes, dimension.valueStart, dimension.valueEnd);
      if (value?.number === DimensionField.value) return fieldVarint(bytes, value);
      return value?.number === DimensionField.param ? fieldText(bytes, value) : '?';
    });
}

/** A graph input (`field` 11), output (`field` 12) or recorded intermediate shape (`field` 13) of a tensor of the given type and shape. */
export function encodeValueInfo(
  field: typeof GraphField.input | typeof GraphField.output | typeof GraphField.valueInfo,
  info: { name: string; elementType: number; shape: readonly Dimension[] },
): Uint8Array {
  const dimensions = info.shape.map((dimension) =>
    encodeMessageField(ShapeField.dim, [
      typeof dimension === 'number'
        ? encodeVarintField(DimensionField.value, dimension)
        : encodeStringField(DimensionField.param, dimension),
    ]),
  );
  const tensorType = encodeMessageField(TypeField.tensorType, [
    encodeVarintField(TensorTypeField.elemType, info.elementType),
    encodeMessageField(TensorTypeField.shape, dimensions),
  ]);
  return encodeMessageField(field, [
    encodeStringField(ValueInfoField.name, info.name),
    encodeMessageField(ValueInfoField.type, [tensorType]),
  ]);
}
