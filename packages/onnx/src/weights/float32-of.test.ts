import { describe, expect, it } from 'vitest';
import { float32Of } from './float32-of.js';
import type { WeightDtype, WeightTensor } from './model-weights.js';

const tensorOf = (dtype: WeightDtype, bytes: Uint8Array): WeightTensor => ({ name: 't', dtype, shape: [bytes.byteLength], bytes });
const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

describe('float32Of', () => {
  it('views F32 bytes that are 4-byte aligned', () => {
    const buffer = new Float32Array([0, 1.5, -2, 3.25]);
    const values = float32Of(tensorOf('F32', bytesOf(buffer).subarray(4, 12)));
    expect([...values]).toEqual([1.5, -2]);
    expect(values.buffer).toBe(buffer.buffer);
    expect(values.byteOffset).toBe(4);
  });

  it('copies F32 bytes that are not aligned', () => {
    const file = new Uint8Array(9);
    file.set(bytesOf(new Float32Array([1.5, -2])), 1);
    const values = float32Of(tensorOf('F32', file.subarray(1)));
    expect([...values]).toEqual([1.5, -2]);
    expect(values.buffer).not.toBe(file.buffer);
  });

  it('converts F16, subnormals, infinities, NaN and signed zero included', () => {
    const halves = new Uint16Array([0x3c00, 0xc000, 0x7bff, 0x0001, 0x03ff, 0x7c00, 0xfc00, 0x8000, 0x3555, 0x7e00]);
    const values = [...float32Of(tensorOf('F16', bytesOf(halves)))];
    expect(values.slice(0, 9)).toEqual([
      1,
      -2,
      65504,
      2 ** -24,
      Math.fround(1023 * 2 ** -24),
      Infinity,
      -Infinity,
      -0,
      Math.fround(0.333251953125),
    ]);
    expect(values[9]).toBeNaN();
  });

  it('converts BF16 (the top 16 bits of a float32), also from odd byte offsets', () => {
    const floats = new Float32Array([1, -2.5, 3.140625, -0.0078125, Infinity]);
    const top = new Uint16Array(floats.length);
    for (let index = 0; index < floats.length; index++) top[index] = new Uint32Array(floats.buffer)[index] >>> 16;
    const file = new Uint8Array(1 + top.byteLength);
    file.set(bytesOf(top), 1);
    expect([...float32Of(tensorOf('BF16', file.subarray(1)))]).toEqual([...floats]);
  });

  it('converts F64 by rounding to nearest, and integers and booleans', () => {
    expect([...float32Of(tensorOf('F64', bytesOf(new Float64Array([1 / 3, -1e-300, 1e300]))))]).toEqual([Math.fround(1 / 3), -0, Infinity]);
    expect([...float32Of(tensorOf('I64', bytesOf(new BigInt64Array([-3n, 2n ** 40n]))))]).toEqual([-3, 2 ** 40]);
    expect([...float32Of(tensorOf('I32', bytesOf(new Int32Array([-7, 2147483647]))))]).toEqual([-7, 2147483648]);
    expect([...float32Of(tensorOf('I16', bytesOf(new Int16Array([-32768, 12]))))]).toEqual([-32768, 12]);
    expect([...float32Of(tensorOf('I8', Uint8Array.of(0x80, 0x7f)))]).toEqual([-128, 127]);
    expect([...float32Of(tensorOf('U8', Uint8Array.of(0, 255)))]).toEqual([0, 255]);
    expect([...float32Of(tensorOf('BOOL', Uint8Array.of(1, 0, 2)))]).toEqual([1, 0, 1]);
  });
});
