import { describe, expect, it } from 'vitest';
import { ElementType, GraphField, TensorField } from './onnx-fields.js';
import { encodeRawInitializer, rawInitializerParts, readInitializers } from './onnx-initializer.js';
import { concatBytes, encodeMessageField, encodeStringField, encodeVarintField, readFields } from './protobuf-wire.js';

describe('rawInitializerParts', () => {
  const raw = new Uint8Array(Float32Array.of(1.5, -2, 0.25, 8, 3, -0.5).buffer);
  const tensor = { name: 'filter', elementType: ElementType.float, dims: [3, 2, 1, 1], raw };

  const nested = (tensor: { name: string; elementType: number; dims: readonly number[]; raw: Uint8Array }) =>
    encodeMessageField(GraphField.initializer, [
      ...tensor.dims.map((size) => encodeVarintField(TensorField.dims, size)),
      encodeVarintField(TensorField.dataType, tensor.elementType),
      encodeStringField(TensorField.name, tensor.name),
      encodeMessageField(TensorField.rawData, [tensor.raw]),
    ]);

  it('encodes the same TensorProto field as nesting each message, with the raw values as its last part, not copied', () => {
    const parts = rawInitializerParts(tensor);
    expect(concatBytes(parts)).toEqual(nested(tensor));
    expect(parts[1]).toBe(raw);
    expect(encodeRawInitializer(tensor)).toEqual(nested(tensor));
  });

  it('stays byte for byte the nested encoding with lengths of several bytes, and with no dims or values', () => {
    const large = { ...tensor, dims: [300, 200], raw: new Uint8Array(300 * 200 * 4).map((_, index) => index % 251) };
    expect(concatBytes(rawInitializerParts(large))).toEqual(nested(large));
    const empty = { name: '', elementType: ElementType.float, dims: [], raw: new Uint8Array(0) };
    expect(concatBytes(rawInitializerParts(empty))).toEqual(nested(empty));
  });

  it('reads back as the initializer it describes, large enough for multi-byte lengths', () => {
    const large = { ...tensor, dims: [300, 200], raw: new Uint8Array(300 * 200 * 4).map((_, index) => index % 251) };
    const graph = concatBytes(rawInitializerParts(large));
    const initializer = readInitializers(graph, readFields(graph, 0, graph.length)).get('filter')!;
    expect(initializer.dims).toEqual([300, 200]);
    expect(initializer.elementType).toBe(ElementType.float);
    expect(initializer.rawData).toEqual(large.raw);
  });
});
