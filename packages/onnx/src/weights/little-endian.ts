/**
 * An unsigned 64-bit little-endian integer as a number. Exact up to 2^53; larger values come out
 * rounded but still far beyond any byte count, so the bounds checks that follow every read reject them.
 * (No BigInt: the readers compare these against lengths, which are numbers.)
 */
export function readUint64(view: DataView, offset: number): number {
  return view.getUint32(offset, true) + view.getUint32(offset + 4, true) * 2 ** 32;
}

/** A DataView over exactly the bytes of `bytes` (which may be a view into a larger buffer). */
export function dataViewOf(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** True on little-endian hosts (every browser and Node platform in use): typed arrays can then view file bytes directly. */
export const hostIsLittleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
