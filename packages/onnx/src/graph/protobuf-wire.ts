/**
 * Just enough of the protobuf wire format to edit an ONNX model in place: walk a message's fields
 * without decoding them, and encode the few small messages we add. Big payloads (the weights) are
 * never decoded, only sliced, so a 400 MB model is edited in one pass over its bytes.
 */

export enum WireType {
  Varint = 0,
  Fixed64 = 1,
  LengthDelimited = 2,
  Fixed32 = 5,
}

/** One field of a message: where its key starts, where its value lies, where it ends. */
export interface WireField {
  readonly number: number;
  readonly wireType: WireType;
  /** Offset of the field's key: `bytes.subarray(start, end)` is the whole field, ready to copy. */
  readonly start: number;
  readonly end: number;
  /** The value of a length-delimited field (a string, bytes or a sub-message), or of a varint. */
  readonly valueStart: number;
  readonly valueEnd: number;
}

export class ProtobufFormatError extends Error {
  override readonly name = 'ProtobufFormatError';
}

export function readVarint(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0;
  let scale = 1;
  for (let position = offset; position < bytes.length && position < offset + 10; position++) {
    const byte = bytes[position];
    value += (byte & 0x7f) * scale;
    if (byte < 0x80) return { value, next: position + 1 };
    scale *= 128;
  }
  throw new ProtobufFormatError(`truncated varint at byte ${offset}`);
}

/** The fields of the message in `bytes[start, end)`, in order. */
export function readFields(bytes: Uint8Array, start = 0, end = bytes.length): WireField[] {
  const fields: WireField[] = [];
  for (let offset = start; offset < end; ) {
    const field = readFieldHeader(bytes, offset);
    if (field.valueEnd > end) throw new ProtobufFormatError(`field ${field.number} at byte ${offset} runs past its message`);
    fields.push(field);
    offset = field.end;
  }
  return fields;
}

/**
 * The field whose key starts at `offset`, read from its key and length alone: its value may lie
 * beyond `bytes` (a header read from a file, whose payload is never loaded).
 */
export function readFieldHeader(bytes: Uint8Array, offset: number): WireField {
  const key = readVarint(bytes, offset);
  const number = Math.floor(key.value / 8);
  const wireType = (key.value % 8) as WireType;
  let valueStart = key.next;
  let valueEnd: number;
  switch (wireType) {
    case WireType.Varint:
      valueEnd = readVarint(bytes, valueStart).next;
      break;
    case WireType.Fixed64:
      valueEnd = valueStart + 8;
      break;
    case WireType.Fixed32:
      valueEnd = valueStart + 4;
      break;
    case WireType.LengthDelimited: {
      const length = readVarint(bytes, valueStart);
      valueStart = length.next;
      valueEnd = valueStart + length.value;
      break;
    }
    default:
      throw new ProtobufFormatError(`unsupported wire type ${wireType} at byte ${offset}`);
  }
  return { number, wireType, start: offset, end: valueEnd, valueStart, valueEnd };
}

const utf8Decoder = new TextDecoder();
const utf8Encoder = new TextEncoder();

export function fieldText(bytes: Uint8Array, field: WireField): string {
  return utf8Decoder.decode(bytes.subarray(field.valueStart, field.valueEnd));
}

export function fieldVarint(bytes: Uint8Array, field: WireField): number {
  return readVarint(bytes, field.valueStart).value;
}

/** An int64 stored as a varint, sign included (`axes: [-1]` is ten bytes of two's complement). */
export function readInt64(bytes: Uint8Array, offset: number): { value: number; next: number } {
  let value = 0n;
  for (let position = offset, shift = 0n; position < bytes.length && position < offset + 10; position++, shift += 7n) {
    value |= BigInt(bytes[position] & 0x7f) << shift;
    if (bytes[position] < 0x80) return { value: Number(BigInt.asIntN(64, value)), next: position + 1 };
  }
  throw new ProtobufFormatError(`truncated varint at byte ${offset}`);
}

/** The values of a repeated int64 field, whether packed into one length-delimited field or not. */
export function repeatedInt64(bytes: Uint8Array, fields: readonly WireField[]): number[] {
  const values: number[] = [];
  for (const field of fields) {
    if (field.wireType === WireType.Varint) {
      values.push(readInt64(bytes, field.valueStart).value);
      continue;
    }
    for (let offset = field.valueStart; offset < field.valueEnd; ) {
      const { value, next } = readInt64(bytes, offset);
      values.push(value);
      offset = next;
    }
  }
  return values;
}

export function encodeVarint(value: number): Uint8Array {
  // int64 fields store negative numbers as their 64-bit two's complement: ten bytes.
  if (value < 0) return encodeVarintBig(BigInt.asUintN(64, BigInt(value)));
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return Uint8Array.from(out);
}

function encodeVarintBig(value: bigint): Uint8Array {
  const out: number[] = [];
  let rest = value;
  while (rest >= 0x80n) {
    out.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  out.push(Number(rest));
  return Uint8Array.from(out);
}

/** A length-delimited field: a string, bytes, or an encoded sub-message (given as its parts). */
export function encodeMessageField(number: number, parts: readonly Uint8Array[]): Uint8Array {
  const length = parts.reduce((total, part) => total + part.length, 0);
  return concatBytes([encodeVarint(number * 8 + WireType.LengthDelimited), encodeVarint(length), ...parts]);
}

export function encodeStringField(number: number, text: string): Uint8Array {
  return encodeMessageField(number, [utf8Encoder.encode(text)]);
}

export function encodeVarintField(number: number, value: number): Uint8Array {
  return concatBytes([encodeVarint(number * 8 + WireType.Varint), encodeVarint(value)]);
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
