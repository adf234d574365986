import { describe, expect, it } from 'vitest';
import type { WeightDtype, WeightTensor } from '../weights/model-weights.js';
import { decodeFloat32, float32Values, transposedFloat32Values, weightRows } from './initializer-values.js';

const widths: Partial<Record<WeightDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** A weight of `values` stored as `dtype` (F16 and BF16 given as their bits), `offset` bytes into its buffer. */
function tensor(dtype: WeightDtype, shape: number[], values: readonly number[], offset = 0): WeightTensor {
  const width = widths[dtype]!;
  const buffer = new Uint8Array(offset + values.length * width);
  const view = new DataView(buffer.buffer, offset);
  for (const [index, value] of values.entries()) {
    if (dtype === 'F32') view.setFloat32(index * 4, value, true);
    else if (dtype === 'F64') view.setFloat64(index * 8, value, true);
    else view.setUint16(index * 2, value, true);
  }
  return { name: 'w', dtype, shape, bytes: buffer.subarray(offset) };
}

/** What `values` write into an unaligned place of a model, as most initializers are. */
function written(values: { byteLength: number; write(target: Uint8Array): void }): number[] {
  const target = new Uint8Array(values.byteLength + 3).subarray(3);
  values.write(target);
  const view = new DataView(target.buffer, target.byteOffset, target.byteLength);
  return Array.from({ length: target.byteLength / 4 }, (_, index) => view.getFloat32(index * 4, true));
}

const float32Bits = (value: number) => new Uint32Array(Float32Array.of(value).buffer)[0];
const float32OfBits = (bits: number) => new Float32Array(Uint32Array.of(bits).buffer)[0];

describe('initializer values', () => {
  it('widens float16, including subnormals, infinities and negative zero', () => {
    const halves = [0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00, 0x8000, 0x7bff];
    expect(Array.from(decodeFloat32(tensor('F16', [halves.length], halves), 0, halves.length))).toEqual([
      1,
      -2,
      Math.fround(0.333251953125),
      2 ** -24,
      Infinity,
      -0,
      65504,
    ]);
  });

  it('widens bfloat16 exactly (the top half of a float32)', () => {
    const values = [1.5, -3.25, 1e-20, 65536];
    const bf16 = tensor(
      'BF16',
      [values.length],
      values.map((value) => float32Bits(value) >>> 16),
    );
    expect(Array.from(decodeFloat32(bf16, 0, values.length))).toEqual(
      values.map((value) => float32OfBits((float32Bits(value) & 0xffff0000) >>> 0)),
    );
  });

  it('narrows float64 to float32', () => {
    expect(written(float32Values(tensor('F64', [2], [0.1, -2])))).toEqual([Math.fround(0.1), -2]);
  });

  it('reads float32 at any byte offset of the checkpoint', () => {
    const f32 = tensor('F32', [3], [1, 2.5, -7], 1);
    expect(Array.from(decodeFloat32(f32, 1, 2))).toEqual([2.5, -7]);
    expect(written(float32Values(f32))).toEqual([1, 2.5, -7]);
  });

  it('transposes a Linear weight [out, in] into [in, out], whatever its type', () => {
    // 300 × 70: the 70 output rows are written in two blocks.
    const rows = 300;
    const cols = 70;
    // Integers below 2048, exact in float16 too.
    const value = (row: number, col: number) => (row * 71 + col) % 2003;
    const values = Array.from({ length: rows * cols }, (_, index) => value(Math.floor(index / cols), index % cols));
    for (const weight of [tensor('F32', [rows, cols], values), tensor('F16', [rows, cols], values.map(float16Bits))]) {
      const transposed = written(transposedFloat32Values(weight));
      expect(transposed.length).toBe(rows * cols);
      for (let col = 0; col < cols; col++) for (let row = 0; row < rows; row++) expect(transposed[col * rows + row]).toBe(value(row, col));
    }
  });

  it('takes rows of a weight as a weight of their own, without copying', () => {
    const weight = tensor('F32', [3, 2], [0, 1, 2, 3, 4, 5]);
    const middle = weightRows(weight, 1, 1, 'w/row_1');
    expect(middle).toMatchObject({ name: 'w/row_1', shape: [1, 2] });
    expect(middle.bytes.buffer).toBe(weight.bytes.buffer);
    expect(written(float32Values(middle))).toEqual([2, 3]);
  });
});

/** Non-negative integers below 2048 as float16 bits. */
function float16Bits(value: number): number {
  if (value === 0) return 0;
  const exponent = Math.floor(Math.log2(value));
  return ((exponent + 15) << 10) | Math.round((value / 2 ** exponent - 1) * 1024);
}
