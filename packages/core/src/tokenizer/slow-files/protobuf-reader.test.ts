import { describe, expect, it } from 'vitest';
import { forEachProtobufField, protobufString, WireType, type ProtobufField } from './protobuf-reader.js';

function fields(bytes: number[]): ProtobufField[] {
  const found: ProtobufField[] = [];
  forEachProtobufField(new Uint8Array(bytes), (field) => found.push(field));
  return found;
}

describe('forEachProtobufField', () => {
  it('reads varints, int32s written as 10-byte negatives, strings and floats', () => {
    const [small, large, negative, text, float] = fields([
      0x08,
      0x96,
      0x01, // field 1, varint 150
      0x10,
      0x80,
      0x80,
      0x80,
      0x80,
      0x10, // field 2, varint 2^32
      0x18,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0x01, // field 3, int32 -1
      0x22,
      0x03,
      0xe2,
      0x96,
      0x81, // field 4, string "▁"
      0x2d,
      0x00,
      0x00,
      0xc0,
      0xbf, // field 5, float -1.5
    ]);
    expect([small.number, small.wireType, small.varint, small.int32]).toEqual([1, WireType.Varint, 150, 150]);
    expect([large.varint, large.int32]).toEqual([2 ** 32, 0]);
    expect([negative.number, negative.int32]).toEqual([3, -1]);
    expect([text.number, text.wireType, protobufString(text)]).toEqual([4, WireType.LengthDelimited, '\u2581']);
    expect([float.number, float.wireType, float.float32]).toEqual([5, WireType.Fixed32, -1.5]);
  });

  it('skips fixed64 fields', () => {
    expect(fields([0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x10, 0x01]).map((field) => [field.number, field.varint])).toEqual([
      [1, 0],
      [2, 1],
    ]);
  });

  it('throws a RangeError on truncated fields, unknown wire types, endless varints and invalid UTF-8', () => {
    expect(() => fields([0x22, 0x05, 0x61])).toThrow(/runs past the end/);
    expect(() => fields([0x0b])).toThrow(/unsupported wire type 3/);
    expect(() => fields([0x08, ...new Array(11).fill(0xff)])).toThrow(/longer than 10 bytes/);
    expect(() => fields([0x08])).toThrow(RangeError);
    const [invalid] = fields([0x0a, 0x01, 0xff]);
    expect(() => protobufString(invalid)).toThrow(/not valid UTF-8/);
  });
});
