import { dataViewOf, readUint64 } from '../little-endian.js';
import type { ModelWeights } from '../model-weights.js';
import { plainDataGlobals } from '../pickle/plain-data-globals.js';
import { describeValue, unpickle } from '../pickle/restricted-unpickler.js';
import { elementSize } from '../weight-dtype.js';
import { invalidWeightFile, type WeightFileRef } from '../weight-file.js';
import { stateDictWeights, unpickleStateDict } from './torch-state-dict.js';

/** The number the legacy format starts with (torch/serialization.py MAGIC_NUMBER). */
export const legacyMagicNumber = 0x1950a86a20f9469cfc6cn;
const legacyProtocolVersion = 1001;

/**
 * The tensors of a legacy `torch.save` checkpoint (`_use_new_zipfile_serialization=False`, and every
 * torch before 1.6): five pickles in a row (magic number, protocol version, sys_info, the state dict
 * with persistent ids `('storage', type, root_key, location, numel, view_metadata)`, the sorted
 * storage keys), then each storage in that key order as an 8-byte little-endian element count and its
 * raw bytes. Only the state dict's pickle may name globals (the torch allow-list); the others must be
 * plain data.
 */
export function readTorchLegacy(bytes: Uint8Array, where: WeightFileRef): ModelWeights {
  const fail = (reason: string) => invalidWeightFile(where, reason);
  const magic = unpickle(bytes, 0, plainDataGlobals, where);
  if (magic.value !== legacyMagicNumber)
    throw fail(`it starts with ${describeValue(magic.value)}, not torch's legacy magic number: not a torch checkpoint.`);
  const protocol = unpickle(bytes, magic.end, plainDataGlobals, where);
  if (protocol.value !== legacyProtocolVersion)
    throw fail(`it has legacy protocol version ${describeValue(protocol.value)}; torch writes ${legacyProtocolVersion}.`);
  const sysInfo = unpickle(bytes, protocol.end, plainDataGlobals, where);
  if (sysInfo.value instanceof Map && sysInfo.value.get('little_endian') === false) {
    throw fail('it was saved on a big-endian machine; only little-endian checkpoints are read.');
  }

  const stateDict = unpickleStateDict(bytes, sysInfo.end, where);
  const keyList = unpickle(bytes, stateDict.end, plainDataGlobals, where);
  const keys = keyList.value;
  if (!Array.isArray(keys) || !keys.every((key) => typeof key === 'string')) {
    throw fail(`its storage key list is ${describeValue(keys)}, not a list of strings.`);
  }

  const view = dataViewOf(bytes);
  const storages = new Map<string, Uint8Array>();
  let at = keyList.end;
  for (const key of keys as string[]) {
    const storage = stateDict.storages.get(key);
    if (!storage) throw fail(`its storage list names ${JSON.stringify(key)}, which no tensor of the state dict uses.`);
    if (storages.has(key)) throw fail(`its storage list names ${JSON.stringify(key)} twice.`);
    if (at + 8 > bytes.byteLength)
      throw fail(`it ends at byte ${bytes.byteLength}, before storage ${JSON.stringify(key)}: the file is truncated.`);
    const count = readUint64(view, at);
    at += 8;
    if (count !== storage.numel)
      throw fail(`storage ${JSON.stringify(key)} holds ${count} elements but the state dict says ${storage.numel}.`);
    const length = count * elementSize(storage.dtype);
    if (at + length > bytes.byteLength) {
      throw fail(
        `storage ${JSON.stringify(key)} needs ${length} bytes from byte ${at} but the file ends at byte ${bytes.byteLength}: the file is truncated.`,
      );
    }
    storages.set(key, bytes.subarray(at, at + length));
    at += length;
  }

  return stateDictWeights(
    stateDict,
    (storage) => {
      const storageBytes = storages.get(storage.key);
      if (!storageBytes) throw fail(`its state dict names storage ${JSON.stringify(storage.key)}, which the file does not hold.`);
      return storageBytes;
    },
    where,
  );
}
