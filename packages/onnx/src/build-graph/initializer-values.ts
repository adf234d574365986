import type { WeightDtype, WeightTensor } from '../weights/model-weights.js';

/**
 * The values of an initializer, written straight into the model's bytes when the model is encoded:
 * the encoder allocates the model once and each initializer writes its part of it, so a weight is
 * copied (converted or transposed on the way) from the checkpoint's bytes into the model and
 * nowhere else.
 */
export interface InitializerValues {
  readonly byteLength: number;
  /** Writes the values, float32 little-endian, into `target` (exactly `byteLength` bytes). */
  write(target: Uint8Array): void;
}

/** The element types a weight can have to become an fp32 initializer. */
export const floatWeightDtypes: ReadonlySet<WeightDtype> = new Set(['F32', 'F16', 'BF16', 'F64']);

const littleEndianHost = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/** The bytes of one element of each float type. */
export const bytesPerWeightElement: Partial<Record<WeightDtype, number>> = { F32: 4, F16: 2, BF16: 2, F64: 8 };

/** A float weight as float32 values in the order it is stored. */
export function float32Values(tensor: WeightTensor): InitializerValues {
  const count = elementCount(tensor.shape);
  return {
    byteLength: count * 4,
    write(target) {
      // A float32 checkpoint is already in ONNX's layout: its bytes are copied as they are.
      if (tensor.dtype === 'F32') target.set(tensor.bytes.subarray(0, count * 4));
      else forEachChunk(count, (start, length) => writeFloat32(decodeFloat32(tensor, start, length), target, start));
    },
  };
}

/**
 * Rows `[start, start + rows)` of a float weight as a weight of its own, named `name`: a view of the
 * same bytes (a row of an embedding table, the query part of a fused query-key-value projection).
 */
export function weightRows(tensor: WeightTensor, start: number, rows: number, name: string): WeightTensor {
  const width = elementCount(tensor.shape.slice(1)) * (bytesPerWeightElement[tensor.dtype] ?? 4);
  return { ...tensor, name, shape: [rows, ...tensor.shape.slice(1)], bytes: tensor.bytes.subarray(start * width, (start + rows) * width) };
}

/**
 * A `[rows, cols]` float weight as its transpose `[cols, rows]`: a Linear layer's `[out, in]`
 * weight as the `[in, out]` right operand of a MatMul. Written one block of output rows at a time.
 */
export function transposedFloat32Values(tensor: WeightTensor): InitializerValues {
  const [rows, cols] = tensor.shape;
  return {
    byteLength: rows * cols * 4,
    write(target) {
      const source = decodeFloat32(tensor, 0, rows * cols);
      const blockRows = Math.max(1, Math.floor(16384 / rows));
      const block = new Float32Array(blockRows * rows);
      for (let col = 0; col < cols; col += blockRows) {
        const blockEnd = Math.min(col + blockRows, cols);
        for (let targetRow = col; targetRow < blockEnd; targetRow++) {
          const offset = (targetRow - col) * rows;
          for (let row = 0, from = targetRow; row < rows; row++, from += cols) block[offset + row] = source[from];
        }
        writeFloat32(block.subarray(0, (blockEnd - col) * rows), target, col * rows);
      }
    },
  };
}

/** Float32 values computed here (small constants), as initializer values. */
export function literalFloat32Values(values: Float32Array): InitializerValues {
  return { byteLength: values.length * 4, write: (target) => writeFloat32(values, target, 0) };
}

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((product, size) => product * size, 1);
}

const chunkElements = 1 << 16;

function forEachChunk(count: number, visit: (start: number, length: number) => void): void {
  for (let start = 0; start < count; start += chunkElements) visit(start, Math.min(chunkElements, count - start));
}

/**
 * Elements `[start, start + length)` of a float weight as float32: a view of the checkpoint's bytes
 * when they are float32 laid out so a view can read them, else a converted copy.
 */
export function decodeFloat32(tensor: WeightTensor, start: number, length: number): Float32Array {
  const { bytes, dtype } = tensor;
  const width = bytesPerWeightElement[dtype];
  if (width === undefined) throw new TypeError(`a ${dtype} tensor is not a float weight`);
  const byteOffset = bytes.byteOffset + start * width;
  if (dtype === 'F32' && littleEndianHost && byteOffset % 4 === 0) return new Float32Array(bytes.buffer, byteOffset, length);
  const view = new DataView(bytes.buffer, byteOffset, length * width);
  const values = new Float32Array(length);
  switch (dtype) {
    case 'F32':
      for (let index = 0; index < length; index++) values[index] = view.getFloat32(index * 4, true);
      break;
    case 'F64':
      for (let index = 0; index < length; index++) values[index] = view.getFloat64(index * 8, true);
      break;
    case 'F16':
      for (let index = 0; index < length; index++) values[index] = halfToFloat(view.getUint16(index * 2, true));
      break;
    case 'BF16': {
      // bfloat16 is the top half of a float32 (the host's order on both sides of the view).
      const bits = new Uint32Array(values.buffer);
      for (let index = 0; index < length; index++) bits[index] = view.getUint16(index * 2, true) << 16;
      break;
    }
  }
  return values;
}

function halfToFloat(half: number): number {
  const sign = half & 0x8000 ? -1 : 1;
  const exponent = (half >> 10) & 0x1f;
  const fraction = half & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** `values` as float32 little-endian into `target`, from element `start` on. */
function writeFloat32(values: Float32Array, target: Uint8Array, start: number): void {
  if (littleEndianHost) {
    target.set(new Uint8Array(values.buffer, values.byteOffset, values.byteLength), start * 4);
    return;
  }
  const view = new DataView(target.buffer, target.byteOffset + start * 4, values.length * 4);
  for (let index = 0; index < values.length; index++) view.setFloat32(index * 4, values[index], true);
}
