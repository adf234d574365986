import { dataViewOf, readUint64 } from '../little-endian.js';
import { invalidWeightFile, type WeightFileRef } from '../weight-file.js';

const signatures = {
  localHeader: 0x04034b50,
  centralHeader: 0x02014b50,
  endOfCentralDirectory: 0x06054b50,
  zip64EndOfCentralDirectory: 0x06064b50,
  zip64Locator: 0x07064b50,
} as const;
const endRecordLength = 22;
const zip64LocatorLength = 20;
const maxCommentLength = 0xffff;
/** The extra field that carries 64-bit sizes and offsets (zip64) in place of the 0xffffffff placeholders. */
const zip64ExtraId = 0x0001;

/**
 * The entries of a zip archive whose entries are stored uncompressed, as torch writes them
 * (`torch.save` since 1.6): each entry's bytes are a view into `bytes`, by name. Reads the central
 * directory (zip64 included: torch always writes the zip64 end records, and needs their 64-bit sizes
 * and offsets past 4 GB), then each entry's local header for where its data starts. Refuses, with an
 * InvalidModelFileError naming the file: no end record, a directory or entry outside the file,
 * compressed or encrypted entries, multi-disk archives, duplicate names, and local headers that
 * disagree with the directory. CRCs are not checked: that would read every byte of every tensor.
 */
export function readStoredZip(bytes: Uint8Array, where: WeightFileRef): ReadonlyMap<string, Uint8Array> {
  const fail = (reason: string) => invalidWeightFile(where, reason);
  const view = dataViewOf(bytes);
  const end = findEndRecord(view);
  if (end < 0) throw fail('it has no zip end-of-central-directory record: the zip archive is truncated or this is no zip file.');

  let entryCount = view.getUint16(end + 10, true);
  let directorySize = view.getUint32(end + 12, true);
  let directoryOffset = view.getUint32(end + 16, true);
  let directoryLimit = end;
  if (view.getUint16(end + 4, true) !== 0 || view.getUint16(end + 6, true) !== 0) throw fail('it is a multi-disk zip archive.');

  const locator = end - zip64LocatorLength;
  if (locator >= 0 && view.getUint32(locator, true) === signatures.zip64Locator) {
    const record = readUint64(view, locator + 8);
    if (view.getUint32(locator + 4, true) !== 0 || view.getUint32(locator + 16, true) > 1) throw fail('it is a multi-disk zip64 archive.');
    if (record + 56 > locator || view.getUint32(record, true) !== signatures.zip64EndOfCentralDirectory) {
      throw fail(`its zip64 locator points at byte ${record}, where there is no zip64 end record: the zip archive is corrupt.`);
    }
    entryCount = readUint64(view, record + 32);
    directorySize = readUint64(view, record + 40);
    directoryOffset = readUint64(view, record + 48);
    directoryLimit = record;
  }
  if (directoryOffset + directorySize > directoryLimit) {
    throw fail(
      `its central directory (bytes ${directoryOffset} to ${directoryOffset + directorySize}) runs past the end records at byte ${directoryLimit}: the zip archive is truncated or corrupt.`,
    );
  }

  const entries = new Map<string, Uint8Array>();
  let at = directoryOffset;
  const directoryEnd = directoryOffset + directorySize;
  for (let index = 0; index < entryCount; index++) {
    if (at + 46 > directoryEnd || view.getUint32(at, true) !== signatures.centralHeader) {
      throw fail(`its central directory has ${index} of the ${entryCount} entries it announces: the zip archive is corrupt.`);
    }
    const flags = view.getUint16(at + 8, true);
    const method = view.getUint16(at + 10, true);
    let compressedSize = view.getUint32(at + 20, true);
    let size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    let localOffset = view.getUint32(at + 42, true);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > directoryEnd)
      throw fail(`the central directory entry at byte ${at} runs past the directory's end: the zip archive is corrupt.`);
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    const name = decodeName(nameBytes, fail);

    // zip64: each field left at 0xffffffff is in the zip64 extra field, in this order.
    const zip64 = findExtraField(view, at + 46 + nameLength, extraLength, zip64ExtraId);
    if (zip64) {
      let field = zip64.start;
      const read64 = () => {
        if (field + 8 > zip64.end) throw fail(`entry ${JSON.stringify(name)} has a zip64 extra field too short for its sizes.`);
        field += 8;
        return readUint64(view, field - 8);
      };
      if (size === 0xffffffff) size = read64();
      if (compressedSize === 0xffffffff) compressedSize = read64();
      if (localOffset === 0xffffffff) localOffset = read64();
    }

    if (flags & 0x1) throw fail(`entry ${JSON.stringify(name)} is encrypted.`);
    if (method !== 0)
      throw fail(
        `entry ${JSON.stringify(name)} is compressed (method ${method}); torch stores entries uncompressed, and only such archives are read.`,
      );
    if (compressedSize !== size)
      throw fail(`entry ${JSON.stringify(name)} is stored but its compressed size (${compressedSize}) differs from its size (${size}).`);

    const data = localData(bytes, view, localOffset, nameBytes, directoryOffset, name, fail);
    if (data + size > directoryOffset) {
      throw fail(
        `entry ${JSON.stringify(name)} (${size} bytes from byte ${data}) runs into the central directory at byte ${directoryOffset}: the zip archive is truncated or corrupt.`,
      );
    }
    if (entries.has(name)) throw fail(`it has two entries named ${JSON.stringify(name)}.`);
    entries.set(name, bytes.subarray(data, data + size));
    at = next;
  }
  return entries;
}

/** The offset of the end-of-central-directory record: the last signature whose comment ends the file. */
function findEndRecord(view: DataView): number {
  const lowest = Math.max(0, view.byteLength - endRecordLength - maxCommentLength);
  for (let at = view.byteLength - endRecordLength; at >= lowest; at--) {
    if (
      view.getUint32(at, true) === signatures.endOfCentralDirectory &&
      at + endRecordLength + view.getUint16(at + 20, true) === view.byteLength
    ) {
      return at;
    }
  }
  return -1;
}

function findExtraField(view: DataView, start: number, length: number, id: number): { start: number; end: number } | undefined {
  let at = start;
  const end = start + length;
  while (at + 4 <= end) {
    const fieldId = view.getUint16(at, true);
    const fieldLength = view.getUint16(at + 2, true);
    if (at + 4 + fieldLength > end) return undefined;
    if (fieldId === id) return { start: at + 4, end: at + 4 + fieldLength };
    at += 4 + fieldLength;
  }
  return undefined;
}

/** Where an entry's data starts: after its local header, whose name must be the directory's. */
function localData(
  bytes: Uint8Array,
  view: DataView,
  offset: number,
  centralName: Uint8Array,
  directoryOffset: number,
  name: string,
  fail: (reason: string) => Error,
): number {
  if (offset + 30 > directoryOffset || view.getUint32(offset, true) !== signatures.localHeader) {
    throw fail(`entry ${JSON.stringify(name)} has no local header at byte ${offset}: the zip archive is corrupt.`);
  }
  const nameLength = view.getUint16(offset + 26, true);
  const extraLength = view.getUint16(offset + 28, true);
  const localName = bytes.subarray(offset + 30, offset + 30 + nameLength);
  if (offset + 30 + nameLength + extraLength > directoryOffset || !sameBytes(localName, centralName)) {
    throw fail(`entry ${JSON.stringify(name)} has a local header that disagrees with the central directory: the zip archive is corrupt.`);
  }
  return offset + 30 + nameLength + extraLength;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.byteLength === b.byteLength && a.every((byte, index) => byte === b[index]);
}

function decodeName(nameBytes: Uint8Array, fail: (reason: string) => Error): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(nameBytes);
  } catch {
    throw fail('an entry name is not UTF-8.');
  }
}
