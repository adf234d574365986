import { describe, expect, it } from 'vitest';
import {
  int8ColumnScales,
  reducedInt8Range,
  roundHalfToEven,
  uint8TensorQuantization,
  writeInt8Columns,
  writeUint8Tensor,
  type MatrixSource,
} from './quantize-values.js';

function int8Columns(matrix: MatrixSource): { values: number[]; scales: number[] } {
  const scales = int8ColumnScales(matrix);
  const values = new Int8Array(matrix.rows * matrix.columns);
  writeInt8Columns(matrix, scales, values);
  return { values: [...values], scales: [...scales] };
}

describe('roundHalfToEven', () => {
  it("rounds as numpy's round does: halves to the even neighbour, on both sides of 0", () => {
    expect([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -2.5001, 63.5, 64.5].map(roundHalfToEven)).toEqual([
      0, 2, 2, -0, -2, -2, 2, -3, 64, 64,
    ]);
  });
});

describe('int8 weights per column', () => {
  // [rows 2, columns 3]: the largest magnitudes 2, 0.5 and 0 (a column of zeros).
  const matrix = { values: Float32Array.of(2, -0.5, 0, -1, 0.25, 0), rows: 2, columns: 3 };

  it('scales each column by its largest magnitude / 64 and maps it onto [-64, 64], zero points 0', () => {
    expect(int8Columns(matrix)).toEqual({ scales: [2 / 64, 0.5 / 64, 1], values: [64, -64, 0, -32, 32, 0] });
    expect(reducedInt8Range).toEqual({ min: -64, max: 64 });
  });

  it('gives the same for a matrix stored transposed (a Linear weight, a decoder), read as its transpose', () => {
    const transposed = { values: Float32Array.of(2, -1, -0.5, 0.25, 0, 0), rows: 2, columns: 3, transposedSource: true };
    expect(int8Columns(transposed)).toEqual(int8Columns(matrix));
  });

  it('rounds float32 quotients half to even, as numpy does', () => {
    // Scale 64 / 64 = 1: 0.5 → 0, 1.5 → 2, 2.5 → 2, -3.5 → -4.
    const halves = { values: Float32Array.of(64, 0.5, 1.5, 2.5, -3.5), rows: 5, columns: 1 };
    expect(int8Columns(halves).values).toEqual([64, 0, 2, 2, -4]);
  });
});

describe('uint8 tables per tensor', () => {
  it('spans [min, max] widened to include 0 with 0..255, the zero point rounded half to even', () => {
    // Range [-1, 3]: scale 4 / 255, zero point round(255 / 4) = round(63.75) = 64.
    const values = Float32Array.of(-1, 0, 3, 1);
    const quantization = uint8TensorQuantization(values);
    expect(quantization).toEqual({ scale: Math.fround(4 / 255), zeroPoint: 64 });
    const target = new Uint8Array(values.length);
    writeUint8Tensor(values, quantization, target);
    expect([...target]).toEqual([0, 64, 255, 128]);
  });

  it('widens a range of positive values down to 0 (zero point 0)', () => {
    expect(uint8TensorQuantization(Float32Array.of(1, 2))).toEqual({ scale: Math.fround(2 / 255), zeroPoint: 0 });
  });

  it('gives a table of zeros scale 1 and zero point 0', () => {
    expect(uint8TensorQuantization(new Float32Array(4))).toEqual({ scale: 1, zeroPoint: 0 });
  });
});
