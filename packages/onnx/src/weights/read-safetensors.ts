import { checkpointWeights } from './checkpoint-weights.js';
import { dataViewOf, readUint64 } from './little-endian.js';
import type { ModelWeights, WeightDtype, WeightTensor } from './model-weights.js';
import { elementSize, isWeightDtype, weightDtypes } from './weight-dtype.js';
import { invalidWeightFile, type WeightFileRef } from './weight-file.js';

/** The largest header the safetensors library itself accepts (100 MB): a bigger one is a hostile file. */
const maxHeaderLength = 100_000_000;

/** One tensor as the header describes it, before its bytes are cut out. */
interface HeaderEntry {
  readonly name: string;
  readonly dtype: WeightDtype;
  readonly shape: readonly number[];
  readonly begin: number;
  readonly end: number;
}

/**
 * The tensors of a `.safetensors` file, each a view into `bytes` (no copy), in the order the header
 * lists them. The file is checked the way the safetensors library checks it: an 8-byte little-endian
 * header length within the file, a JSON object header (`__metadata__` ignored), known dtypes,
 * non-negative integer dims, and data offsets that each match shape × dtype size and together tile
 * the data section exactly (in range, no overlap, no hole, nothing after). Anything else throws
 * InvalidModelFileError naming the file.
 */
export function readSafetensors(bytes: Uint8Array, where: WeightFileRef): ModelWeights {
  const fail = (reason: string, cause?: unknown) => invalidWeightFile(where, reason, cause);
  if (bytes.byteLength < 8) throw fail(`it is ${bytes.byteLength} bytes long: a safetensors file starts with an 8-byte header length.`);
  const headerLength = readUint64(dataViewOf(bytes), 0);
  if (headerLength > bytes.byteLength - 8) {
    throw fail(
      `its header length (${headerLength} bytes) runs past the end of the file (${bytes.byteLength - 8} bytes after the length): truncated, or not a safetensors file.`,
    );
  }
  if (headerLength > maxHeaderLength)
    throw fail(`its header is ${headerLength} bytes long, more than the ${maxHeaderLength} safetensors allows.`);
  const dataStart = 8 + headerLength;
  const entries = parseHeader(bytes.subarray(8, dataStart), fail);
  checkDataOffsets(entries, bytes.byteLength - dataStart, fail);
  return checkpointWeights(
    entries.map(
      (entry): WeightTensor => ({
        name: entry.name,
        dtype: entry.dtype,
        shape: Object.freeze([...entry.shape]),
        bytes: bytes.subarray(dataStart + entry.begin, dataStart + entry.end),
      }),
    ),
    where,
  );
}

type Fail = (reason: string, cause?: unknown) => Error;

function parseHeader(headerBytes: Uint8Array, fail: Fail): HeaderEntry[] {
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(headerBytes));
  } catch (error) {
    throw fail(`its header is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)}).`, error);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) throw fail('its header is not a JSON object.');
  const entries: HeaderEntry[] = [];
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    entries.push(headerEntry(name, info, fail));
  }
  return entries;
}

function headerEntry(name: string, info: unknown, fail: Fail): HeaderEntry {
  const tensor = `tensor ${JSON.stringify(name)}`;
  if (typeof info !== 'object' || info === null || Array.isArray(info)) throw fail(`the header entry of ${tensor} is not an object.`);
  const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
  if (!isWeightDtype(dtype)) {
    throw fail(`${tensor} has dtype ${JSON.stringify(dtype)}; the dtypes read are ${weightDtypes.join(', ')}.`);
  }
  if (!Array.isArray(shape) || !shape.every((dim) => Number.isSafeInteger(dim) && dim >= 0)) {
    throw fail(`${tensor} has shape ${JSON.stringify(shape)}: expected a list of non-negative integers.`);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((offset) => Number.isSafeInteger(offset) && offset >= 0)) {
    throw fail(`${tensor} has data_offsets ${JSON.stringify(offsets)}: expected [begin, end], two non-negative integers.`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) throw fail(`${tensor} has data_offsets [${begin}, ${end}]: the end is before the begin.`);
  // The product can exceed 2^53 for a lying shape; it then differs from end - begin all the same.
  const byteLength = (shape as number[]).reduce((product, dim) => product * dim, elementSize(dtype));
  if (byteLength !== end - begin) {
    throw fail(
      `${tensor} (${dtype} ${JSON.stringify(shape)}) needs ${byteLength} bytes but its data_offsets [${begin}, ${end}] hold ${end - begin}.`,
    );
  }
  return { name, dtype, shape: shape as number[], begin, end };
}

/** The data section must be tiled exactly: in file order of offsets, each tensor starts where the previous ended. */
function checkDataOffsets(entries: readonly HeaderEntry[], dataLength: number, fail: Fail): void {
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let expectedBegin = 0;
  let previous: HeaderEntry | undefined;
  for (const entry of byOffset) {
    const tensor = `tensor ${JSON.stringify(entry.name)}`;
    if (entry.end > dataLength) {
      throw fail(
        `${tensor} has data_offsets [${entry.begin}, ${entry.end}] past the end of the data (${dataLength} bytes): truncated, or the header lies.`,
      );
    }
    if (entry.begin < expectedBegin) {
      throw fail(
        `${tensor} (bytes ${entry.begin} to ${entry.end}) overlaps ${JSON.stringify(previous?.name)} (bytes ${previous?.begin} to ${previous?.end}).`,
      );
    }
    if (entry.begin > expectedBegin) {
      throw fail(`the data has a hole: bytes ${expectedBegin} to ${entry.begin} belong to no tensor (before ${tensor}).`);
    }
    expectedBegin = entry.end;
    previous = entry;
  }
  if (expectedBegin !== dataLength) {
    throw fail(
      `the data section is ${dataLength} bytes but the tensors end at byte ${expectedBegin}: ${dataLength - expectedBegin} bytes belong to no tensor.`,
    );
  }
}
