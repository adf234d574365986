import type { ModelWeights } from '../model-weights.js';
import { invalidWeightFile, type WeightFileRef } from '../weight-file.js';
import { readTorchLegacy } from './read-torch-legacy.js';
import { readTorchZip } from './read-torch-zip.js';

/**
 * The tensors of a `pytorch_model.bin` in either torch format, told apart by their first bytes: a zip
 * archive (`PK\x03\x04`, torch >= 1.6) or a legacy stream of pickles (the PROTO opcode 0x80). The tar
 * format of torch < 0.4 and anything else is an InvalidModelFileError.
 */
export function readPytorchBin(bytes: Uint8Array, where: WeightFileRef): ModelWeights {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06])) return readTorchZip(bytes, where);
  if (bytes[0] === 0x80) return readTorchLegacy(bytes, where);
  if (startsWith(bytes.subarray(257), [0x75, 0x73, 0x74, 0x61, 0x72])) {
    throw invalidWeightFile(
      where,
      'it is a tar archive, the format of torch before 0.4, which is not read; save it again with a recent torch.',
    );
  }
  throw invalidWeightFile(where, 'it is neither a zip archive (torch >= 1.6) nor a legacy torch pickle stream: not a torch checkpoint.');
}

function startsWith(bytes: Uint8Array, prefix: readonly number[]): boolean {
  return bytes.byteLength >= prefix.length && prefix.every((byte, index) => bytes[index] === byte);
}
