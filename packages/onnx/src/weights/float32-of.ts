import { hostIsLittleEndian } from './little-endian.js';
import type { WeightTensor } from './model-weights.js';

/**
 * A tensor's values as float32. F32 is a view of the tensor's bytes when they sit 4-byte aligned (a
 * copy otherwise, which a typed array needs); F16, BF16 and F64 are converted (F64 rounds to nearest),
 * integers and BOOL too (I64 beyond 2^24 rounds), always into a new array.
 */
export function float32Of(tensor: WeightTensor): Float32Array {
  const { bytes } = tensor;
  switch (tensor.dtype) {
    case 'F32':
      if (hostIsLittleEndian && bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      return convert(bytes, 4, (view, at) => view.getFloat32(at, true));
    case 'F16':
      return convert(bytes, 2, (view, at) => float16ToNumber(view.getUint16(at, true)));
    case 'BF16':
      return bfloat16ToFloat32(bytes);
    case 'F64':
      return convert(bytes, 8, (view, at) => view.getFloat64(at, true));
    case 'I64':
      return convert(bytes, 8, (view, at) => Number(view.getBigInt64(at, true)));
    case 'I32':
      return convert(bytes, 4, (view, at) => view.getInt32(at, true));
    case 'I16':
      return convert(bytes, 2, (view, at) => view.getInt16(at, true));
    case 'I8':
      return convert(bytes, 1, (view, at) => view.getInt8(at));
    case 'U8':
      return Float32Array.from(bytes);
    case 'BOOL':
      return Float32Array.from(bytes, (byte) => (byte === 0 ? 0 : 1));
  }
}

function convert(bytes: Uint8Array, size: number, read: (view: DataView, at: number) => number): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(Math.floor(bytes.byteLength / size));
  for (let index = 0; index < out.length; index++) out[index] = read(view, index * size);
  return out;
}

/** bfloat16 is the top half of a float32: shift its 16 bits up. */
function bfloat16ToFloat32(bytes: Uint8Array): Float32Array {
  const count = Math.floor(bytes.byteLength / 2);
  const bits = new Uint32Array(count);
  for (let index = 0; index < count; index++) bits[index] = (bytes[2 * index] | (bytes[2 * index + 1] << 8)) << 16;
  return new Float32Array(bits.buffer);
}

/** IEEE 754 half precision (1 sign, 5 exponent, 10 fraction bits) to a number, subnormals, infinities and NaN included. */
function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Number.POSITIVE_INFINITY : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}
