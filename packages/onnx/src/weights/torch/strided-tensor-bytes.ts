/** Where a tensor's elements sit in its storage, as torch records it: all counts in elements. */
export interface StridedLayout {
  readonly storageOffset: number;
  readonly size: readonly number[];
  readonly stride: readonly number[];
}

/**
 * The bytes of a tensor laid out over `storage` by `layout`, row-major and contiguous: a view into
 * `storage` (no copy) when the layout is contiguous, else a copy gathered in row-major order. Throws
 * `fail(reason)` when the layout is malformed or reaches past the storage.
 */
export function stridedTensorBytes(
  storage: Uint8Array,
  elementSize: number,
  layout: StridedLayout,
  fail: (reason: string) => Error,
): Uint8Array {
  const { storageOffset, size, stride } = layout;
  if (!Number.isSafeInteger(storageOffset) || storageOffset < 0)
    throw fail(`storage offset ${String(storageOffset)} is not a non-negative integer`);
  if (size.length !== stride.length) throw fail(`it has ${size.length} sizes but ${stride.length} strides`);
  if (!size.every((dim) => Number.isSafeInteger(dim) && dim >= 0))
    throw fail(`sizes (${size.join(', ')}) are not all non-negative integers`);
  if (!stride.every((step) => Number.isSafeInteger(step) && step >= 0))
    throw fail(`strides (${stride.join(', ')}) are not all non-negative integers`);
  const storageElements = Math.floor(storage.byteLength / elementSize);
  const count = size.reduce((product, dim) => product * dim, 1);
  if (count === 0) {
    if (storageOffset > storageElements)
      throw fail(`storage offset ${storageOffset} is past the end of its storage of ${storageElements} elements`);
    return storage.subarray(storageOffset * elementSize, storageOffset * elementSize);
  }
  // The farthest element the layout reaches must be inside the storage.
  const last = size.reduce((farthest, dim, axis) => farthest + (dim - 1) * stride[axis], storageOffset);
  if (last >= storageElements) {
    throw fail(
      `sizes (${size.join(', ')}), strides (${stride.join(', ')}) and storage offset ${storageOffset} reach element ${last} of a storage of ${storageElements} elements`,
    );
  }
  if (isContiguous(size, stride)) return storage.subarray(storageOffset * elementSize, (storageOffset + count) * elementSize);
  // A layout with more elements than its storage repeats elements (stride 0 on a long axis, as expand()
  // makes, or overlapping strides): a small file could ask for a huge copy this way, so it is refused.
  if (count > storageElements) {
    throw fail(
      `sizes (${size.join(', ')}) and strides (${stride.join(', ')}) describe ${count} elements over a storage of ${storageElements}: expanded or overlapping tensors are not read`,
    );
  }
  return gather(storage, elementSize, layout, count);
}

/** Row-major contiguity as torch judges it: strides of dims of size 1 do not matter. */
function isContiguous(size: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let axis = size.length - 1; axis >= 0; axis--) {
    if (size[axis] === 1) continue;
    if (stride[axis] !== expected) return false;
    expected *= size[axis];
  }
  return true;
}

/** Copies a non-contiguous tensor into row-major order, one innermost row (or element) at a time. */
function gather(storage: Uint8Array, elementSize: number, { storageOffset, size, stride }: StridedLayout, count: number): Uint8Array {
  const out = new Uint8Array(count * elementSize);
  const rank = size.length;
  const innerSize = size[rank - 1];
  const innerStride = stride[rank - 1];
  const rowBytes = innerSize * elementSize;
  const index = new Array<number>(rank).fill(0);
  let written = 0;
  for (;;) {
    let start = storageOffset;
    for (let axis = 0; axis < rank - 1; axis++) start += index[axis] * stride[axis];
    if (innerStride === 1 || innerSize === 1) {
      out.set(storage.subarray(start * elementSize, start * elementSize + rowBytes), written);
    } else {
      for (let element = 0; element < innerSize; element++) {
        const from = (start + element * innerStride) * elementSize;
        out.set(storage.subarray(from, from + elementSize), written + element * elementSize);
      }
    }
    written += rowBytes;
    // Advance the index over every axis but the innermost, like an odometer.
    let axis = rank - 2;
    while (axis >= 0 && ++index[axis] === size[axis]) index[axis--] = 0;
    if (axis < 0) return out;
  }
}
