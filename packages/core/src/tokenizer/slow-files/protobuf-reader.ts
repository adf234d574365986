/**
 * A reader of the protobuf wire format, just enough for SentencePiece's `.model` files: it walks the
 * fields of one message and hands each to the caller, who knows the schema. Malformed input (a
 * truncated field, an unknown wire type, a varint longer than 10 bytes) throws a RangeError.
 */

/** The wire types protobuf still writes (3 and 4, groups, are long obsolete). */
export const WireType = { Varint: 0, Fixed64: 1, LengthDelimited: 2, Fixed32: 5 } as const;
export type WireType = (typeof WireType)[keyof typeof WireType];

export interface ProtobufField {
  readonly number: number;
  readonly wireType: WireType;
  /** Varint fields: the value, exact up to 2^53 (SentencePiece's ints, enums and bools are far below). */
  readonly varint: number;
  /** Varint fields: the low 32 bits as a signed number, which is an int32 field's value (-1 is written as 2^64 − 1). */
  readonly int32: number;
  /** Length-delimited fields (strings, bytes, sub-messages): the bytes, a view into the message. */
  readonly bytes: Uint8Array;
  /** Fixed32 fields: the 4 bytes read as a little-endian float (SentencePiece's only fixed32 type). */
  readonly float32: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Calls `onField` for each field of the message in `bytes`, in the order they are written. */
export function forEachProtobufField(bytes: Uint8Array, onField: (field: ProtobufField) => void): void {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let offset = 0;
  let low32 = 0;

  /** Reads one varint; also leaves its low 32 bits, signed, in `low32`. */
  const readVarint = (): number => {
    let value = 0;
    let scale = 1;
    low32 = 0;
    for (let index = 0; index < 10; index++) {
      if (offset >= bytes.length) throw new RangeError(`protobuf: a varint runs past the end at byte ${offset}`);
      const byte = bytes[offset++];
      value += (byte & 0x7f) * scale;
      if (index < 5) low32 |= (byte & 0x7f) << (7 * index);
      if ((byte & 0x80) === 0) return value;
      scale *= 128;
    }
    throw new RangeError(`protobuf: a varint longer than 10 bytes ends at byte ${offset}`);
  };

  const take = (length: number): number => {
    if (offset + length > bytes.length) {
      throw new RangeError(`protobuf: a field of ${length} bytes at byte ${offset} runs past the end (${bytes.length} bytes)`);
    }
    const start = offset;
    offset += length;
    return start;
  };

  while (offset < bytes.length) {
    const key = readVarint();
    const number = Math.floor(key / 8);
    const wireType = (key % 8) as WireType;
    if (number === 0) throw new RangeError(`protobuf: field number 0 at byte ${offset}`);
    switch (wireType) {
      case WireType.Varint: {
        const varint = readVarint();
        onField({ number, wireType, varint, int32: low32, bytes: empty, float32: 0 });
        break;
      }
      case WireType.Fixed64:
        take(8);
        onField({ number, wireType, varint: 0, int32: 0, bytes: empty, float32: 0 });
        break;
      case WireType.LengthDelimited: {
        const length = readVarint();
        const start = take(length);
        onField({ number, wireType, varint: 0, int32: 0, bytes: bytes.subarray(start, start + length), float32: 0 });
        break;
      }
      case WireType.Fixed32: {
        const start = take(4);
        onField({ number, wireType, varint: 0, int32: 0, bytes: empty, float32: view.getFloat32(start, true) });
        break;
      }
      default:
        throw new RangeError(`protobuf: unsupported wire type ${wireType} for field ${number} at byte ${offset}`);
    }
  }
}

const empty = new Uint8Array(0);

/** A string field's text; invalid UTF-8 throws (as protobuf's own parsers reject it). */
export function protobufString(field: ProtobufField): string {
  try {
    return utf8.decode(field.bytes);
  } catch (cause) {
    throw new RangeError(`protobuf: field ${field.number} is not valid UTF-8`, { cause });
  }
}
