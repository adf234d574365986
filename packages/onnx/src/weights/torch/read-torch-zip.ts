import type { ModelWeights } from '../model-weights.js';
import { elementSize } from '../weight-dtype.js';
import { invalidWeightFile, type WeightFileRef } from '../weight-file.js';
import { readStoredZip } from '../zip/stored-zip-archive.js';
import { stateDictWeights, unpickleStateDict } from './torch-state-dict.js';

const pickleEntry = /^([^/]+)\/data\.pkl$/;

/**
 * The tensors of a `torch.save` zip checkpoint (torch >= 1.6): `<archive>/data.pkl` is the state dict,
 * read by the restricted unpickler; each persistent id `('storage', type, key, location, numel)` is
 * the stored entry `<archive>/data/<key>`, which tensors view without copying when contiguous.
 */
export function readTorchZip(bytes: Uint8Array, where: WeightFileRef): ModelWeights {
  const fail = (reason: string) => invalidWeightFile(where, reason);
  const entries = readStoredZip(bytes, where);
  const pickles = [...entries.keys()].filter((name) => pickleEntry.test(name));
  if (pickles.length === 0) {
    const torchScript = [...entries.keys()].some((name) => name.endsWith('/constants.pkl'));
    throw fail(
      `it is a zip archive without an <archive>/data.pkl entry, so not a torch.save checkpoint${torchScript ? ' (it looks like a TorchScript archive)' : ''}.`,
    );
  }
  if (pickles.length > 1)
    throw fail(`it is a zip archive with ${pickles.length} data.pkl entries (${pickles.join(', ')}); torch.save writes one.`);
  const archive = pickles[0].slice(0, -'/data.pkl'.length);

  const byteOrder = entries.get(`${archive}/byteorder`);
  if (byteOrder && new TextDecoder().decode(byteOrder) !== 'little')
    throw fail('it was saved on a big-endian machine; only little-endian checkpoints are read.');

  const stateDict = unpickleStateDict(entries.get(pickles[0]) as Uint8Array, 0, where);
  return stateDictWeights(
    stateDict,
    (storage) => {
      const path = `${archive}/data/${storage.key}`;
      const entry = entries.get(path);
      if (!entry) throw fail(`its pickle names storage ${JSON.stringify(storage.key)} but the archive has no entry ${path}.`);
      const needed = storage.numel * elementSize(storage.dtype);
      if (entry.byteLength < needed)
        throw fail(
          `entry ${path} holds ${entry.byteLength} bytes but its storage has ${storage.numel} ${storage.dtype} elements (${needed} bytes).`,
        );
      return entry.subarray(0, needed);
    },
    where,
  );
}
