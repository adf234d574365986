/**
 * The arithmetic of onnxruntime's dynamic quantizer (`onnxruntime.quantization`: `quantize_data`,
 * `compute_scale_zp` and `quantize_nparray` in quant_utils.py) on float32 values, step for step so
 * the same weights give the same bytes: numpy rounds half to even, divides float32 by float32 in
 * float32, and computes ranges and zero points in float64 where it does. Each quantization is two
 * passes, parameters then values, so the values can be written straight into the model being built.
 */

/** The smallest normal float32 (`numpy.finfo(float32).tiny`): a smaller scale becomes 1. */
const smallestNormalFloat32 = 2 ** -126;

/**
 * The reduced int8 range of weights (`ONNX_INT_TYPE_REDUCED_RANGE`): 7 bits and a sign, so the
 * pairwise int16 sums of u8 × s8 products cannot saturate on x64 CPUs without VNNI.
 */
export const reducedInt8Range = { min: -64, max: 64 } as const;

/** numpy's `round`: to the nearest integer, halves to the even one. */
export function roundHalfToEven(value: number): number {
  // Math.round takes halves up; a half taken up to an odd integer goes down to the even one instead.
  const rounded = Math.round(value);
  return rounded - value === 0.5 && rounded % 2 !== 0 ? rounded - 1 : rounded;
}

/**
 * A `[rows, columns]` matrix as a MatMul reads it. With `transposedSource` its values lie
 * transposed, `[columns, rows]` (a torch Linear's `[out, in]`, a tied decoder's `[vocab, features]`).
 */
export interface MatrixSource {
  readonly values: Float32Array;
  readonly rows: number;
  readonly columns: number;
  readonly transposedSource?: boolean;
}

/**
 * The scales of a MatMul's constant right operand as onnxruntime quantizes it per channel
 * (`quantize_weight_per_channel`, axis -1, int8, symmetric, reduced range): one per column, its
 * largest magnitude / 64 (the range widened to include 0, then made symmetric); 1 for a column of zeros.
 */
export function int8ColumnScales({ values, rows, columns, transposedSource }: MatrixSource): Float32Array {
  const largest = new Float32Array(columns);
  // Each loop walks the values in the order they lie.
  if (transposedSource) {
    for (let column = 0; column < columns; column++) {
      let columnLargest = 0;
      for (let index = column * rows, end = index + rows; index < end; index++)
        columnLargest = Math.max(columnLargest, Math.abs(values[index]));
      largest[column] = columnLargest;
    }
  } else {
    for (let index = 0, column = 0; index < values.length; index++, column = column + 1 === columns ? 0 : column + 1) {
      const magnitude = Math.abs(values[index]);
      if (magnitude > largest[column]) largest[column] = magnitude;
    }
  }
  // (rmax - rmin) / (qmax - qmin) = 2·largest / 128: exact in float32 and float64 alike.
  return largest.map((magnitude) => {
    const scale = (2 * magnitude) / (reducedInt8Range.max - reducedInt8Range.min);
    return scale < smallestNormalFloat32 ? 1 : scale;
  });
}

/** The matrix quantized with `scales` (zero points 0), into `target` as `[rows, columns]`: `round(w / scale)`, in [-64, 64]. */
export function writeInt8Columns({ values, rows, columns, transposedSource }: MatrixSource, scales: Float32Array, target: Int8Array): void {
  // float32 / float32 rounded to float32, then half to even; the zero point is 0.
  const quantize = (value: number, scale: number) => clamp(roundHalfToEven(Math.fround(value / scale)), -128, 127);
  if (transposedSource) {
    for (let column = 0; column < columns; column++) {
      const scale = scales[column];
      for (let row = 0, index = column * rows; row < rows; row++, index++) target[row * columns + column] = quantize(values[index], scale);
    }
  } else {
    for (let index = 0, column = 0; index < values.length; index++, column = column + 1 === columns ? 0 : column + 1) {
      target[index] = quantize(values[index], scales[column]);
    }
  }
}

/** One scale and zero point for a whole uint8 tensor. */
export interface Uint8Quantization {
  readonly scale: number;
  readonly zeroPoint: number;
}

/**
 * How onnxruntime quantizes an initializer it treats as an activation (the table a Gather reads, a
 * constant left operand of a MatMul): uint8, asymmetric, over [min, max] widened to include 0, the
 * full range 0..255; scale 1 and zero point 0 for a tensor of zeros.
 */
export function uint8TensorQuantization(values: Float32Array): Uint8Quantization {
  let min = 0;
  let max = 0;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  // rmax - rmin in float32; the division and the zero point in float64; the scale kept as float32.
  const exactScale = Math.fround(max - min) / 255;
  if (exactScale < smallestNormalFloat32) return { scale: 1, zeroPoint: 0 };
  return { scale: Math.fround(exactScale), zeroPoint: roundHalfToEven(0 - min / exactScale) };
}

/** `values` quantized with `quantization` into `target`: `round(v / scale) + zero point`, clamped to 0..255. */
export function writeUint8Tensor(values: Float32Array, { scale, zeroPoint }: Uint8Quantization, target: Uint8Array): void {
  for (let index = 0; index < values.length; index++) {
    target[index] = clamp(roundHalfToEven(Math.fround(values[index] / scale)) + zeroPoint, 0, 255);
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.max(low, Math.min(value, high));
}
