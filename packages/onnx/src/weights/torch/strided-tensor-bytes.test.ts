import { describe, expect, it } from 'vitest';
import { stridedTensorBytes } from './strided-tensor-bytes.js';

const fail = (reason: string) => new Error(reason);
/** A storage of `count` int8 elements 0, 1, 2, ... */
const storageOf = (count: number) => Uint8Array.from({ length: count }, (_, index) => index);

describe('stridedTensorBytes', () => {
  it('views a contiguous tensor, at its storage offset, without copying', () => {
    const storage = storageOf(12);
    const bytes = stridedTensorBytes(storage, 1, { storageOffset: 4, size: [2, 3], stride: [3, 1] }, fail);
    expect([...bytes]).toEqual([4, 5, 6, 7, 8, 9]);
    expect(bytes.buffer).toBe(storage.buffer);
    expect(bytes.byteOffset).toBe(4);
  });

  it('treats dims of size 1 as contiguous whatever their stride, as torch does (expand((1, -1)) buffers)', () => {
    const storage = storageOf(5);
    const bytes = stridedTensorBytes(storage, 1, { storageOffset: 0, size: [1, 5], stride: [0, 1] }, fail);
    expect(bytes.buffer).toBe(storage.buffer);
    expect([...bytes]).toEqual([0, 1, 2, 3, 4]);
  });

  it('copies a transposed tensor into row-major order', () => {
    // [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9, 10, 11]] transposed.
    const bytes = stridedTensorBytes(storageOf(12), 1, { storageOffset: 0, size: [4, 3], stride: [1, 4] }, fail);
    expect([...bytes]).toEqual([0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11]);
  });

  it('copies whole elements of multi-byte dtypes, with offset and strides on both axes', () => {
    const storage = new Uint8Array(new Uint16Array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]).buffer);
    const bytes = stridedTensorBytes(storage, 2, { storageOffset: 4, size: [2, 2], stride: [4, 2] }, fail);
    expect([...new Uint16Array(bytes.slice().buffer)]).toEqual([4, 6, 8, 10]);
  });

  it('reads scalars and empty tensors', () => {
    expect([...stridedTensorBytes(storageOf(3), 1, { storageOffset: 2, size: [], stride: [] }, fail)]).toEqual([2]);
    expect(stridedTensorBytes(storageOf(3), 1, { storageOffset: 3, size: [0, 4], stride: [4, 1] }, fail).byteLength).toBe(0);
  });

  it.each([
    ['past the storage', { storageOffset: 8, size: [2, 3], stride: [3, 1] }, /reach element 13 of a storage of 12/],
    ['a stride past the storage', { storageOffset: 0, size: [2, 2], stride: [100, 1] }, /reach element 101/],
    ['a negative stride', { storageOffset: 0, size: [2], stride: [-1] }, /strides/],
    ['a negative size', { storageOffset: 0, size: [-2], stride: [1] }, /sizes/],
    ['sizes and strides of different ranks', { storageOffset: 0, size: [2, 2], stride: [1] }, /2 sizes but 1 strides/],
    ['a negative storage offset', { storageOffset: -1, size: [2], stride: [1] }, /storage offset/],
    ['an empty tensor past the storage', { storageOffset: 13, size: [0], stride: [1] }, /past the end/],
    [
      'an expanded tensor that would copy more than its storage',
      { storageOffset: 0, size: [1_000_000_000], stride: [0] },
      /expanded or overlapping/,
    ],
  ])('refuses %s', (_what, layout, message) => {
    expect(() => stridedTensorBytes(storageOf(12), 1, layout, fail)).toThrow(message);
  });
});
