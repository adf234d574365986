/** Field numbers of onnx.proto (onnx/onnx, IR version 3 and later) that the graph edits touch. */
export const ModelField = { graph: 7, opsetImport: 8 } as const;
export const OpsetField = { domain: 1, version: 2 } as const;
export const GraphField = { node: 1, initializer: 5, input: 11, output: 12, valueInfo: 13 } as const;
export const NodeField = { input: 1, output: 2, name: 3, opType: 4, attribute: 5, domain: 7 } as const;
export const AttributeField = { name: 1, i: 3, t: 5, ints: 8, type: 20 } as const;
export const AttributeType = { int: 2, ints: 7 } as const;
export const TensorField = { dims: 1, dataType: 2, int32Data: 5, name: 8, rawData: 9, externalData: 13, dataLocation: 14 } as const;
/** `TensorProto.DataLocation`: EXTERNAL means the values sit in a file named by `external_data`. */
export const DataLocation = { external: 1 } as const;
/** A `StringStringEntryProto`, the entries of `external_data`. */
export const EntryField = { key: 1, value: 2 } as const;
export const ValueInfoField = { name: 1, type: 2 } as const;
export const TypeField = { tensorType: 1 } as const;
export const TensorTypeField = { elemType: 1, shape: 2 } as const;
export const ShapeField = { dim: 1 } as const;
export const DimensionField = { value: 1, param: 2 } as const;
export const ElementType = { float: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9, float16: 10, double: 11, bfloat16: 16 } as const;
