import { describe, expect, it } from 'vitest';
import {
  concatBytes,
  encodeMessageField,
  encodeVarint,
  encodeVarintField,
  readFields,
  readInt64,
  readVarint,
  repeatedInt64,
} from './protobuf-wire.js';

describe('protobuf wire format', () => {
  it('reads back the varints it writes, negative int64 included (ten bytes of two’s complement)', () => {
    for (const value of [0, 1, 127, 128, 300, 2 ** 31, 2 ** 40]) expect(readVarint(encodeVarint(value), 0).value).toBe(value);
    for (const value of [-1, -2, -128, 0, 5, -(2 ** 40)]) {
      const bytes = encodeVarint(value);
      expect(readInt64(bytes, 0)).toEqual({ value, next: bytes.length });
    }
    expect(encodeVarint(-1)).toHaveLength(10);
  });

  it('reads a repeated int64 field packed or not', () => {
    const unpacked = concatBytes([encodeVarintField(8, -1), encodeVarintField(8, 2)]);
    expect(repeatedInt64(unpacked, readFields(unpacked))).toEqual([-1, 2]);
    const packed = encodeMessageField(8, [encodeVarint(3), encodeVarint(-1), encodeVarint(300)]);
    expect(repeatedInt64(packed, readFields(packed))).toEqual([3, -1, 300]);
  });

  it('rejects a truncated varint and a field that runs past its message', () => {
    expect(() => readInt64(Uint8Array.from([0x80, 0x80]), 0)).toThrow(/truncated varint/);
    expect(() => readFields(Uint8Array.from([0x0a, 0x05, 0x01]))).toThrow(/runs past its message/);
  });
});
