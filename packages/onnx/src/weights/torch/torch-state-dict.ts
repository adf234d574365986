import { checkpointWeights } from '../checkpoint-weights.js';
import type { ModelWeights, WeightTensor } from '../model-weights.js';
import { describeValue, unpickle } from '../pickle/restricted-unpickler.js';
import { elementSize } from '../weight-dtype.js';
import { invalidWeightFile, type WeightFileRef } from '../weight-file.js';
import { stridedTensorBytes } from './strided-tensor-bytes.js';
import { type StorageRef, type StorageTable, TensorRecord, torchStateDictGlobals } from './torch-pickle-globals.js';

/** A state dict as its pickle describes it, before the storages' bytes are known. */
export interface PickledStateDict {
  /** Each tensor's name as the file spells it and its layout, in dict order. */
  readonly tensors: ReadonlyArray<readonly [string, TensorRecord]>;
  /** Every storage the tensors name, by key. */
  readonly storages: StorageTable;
  /** The byte after the pickle's STOP. */
  readonly end: number;
}

/**
 * Unpickles the state dict at `start` of `bytes` with the torch allow-list: a dict (or OrderedDict)
 * of names to tensors. Anything else at the top, or as a value, is an InvalidModelFileError.
 */
export function unpickleStateDict(bytes: Uint8Array, start: number, where: WeightFileRef): PickledStateDict {
  const storages: StorageTable = new Map();
  const { value, end } = unpickle(bytes, start, torchStateDictGlobals(storages), where);
  if (!(value instanceof Map)) throw invalidWeightFile(where, `it holds ${describeValue(value)}, not a state dict (a dict of tensors).`);
  const tensors: Array<readonly [string, TensorRecord]> = [];
  for (const [name, tensor] of value) {
    if (typeof name !== 'string') throw invalidWeightFile(where, `its state dict has a key ${describeValue(name)}, not a tensor name.`);
    if (!(tensor instanceof TensorRecord)) {
      throw invalidWeightFile(where, `its state dict maps ${JSON.stringify(name)} to ${describeValue(tensor)}, not a tensor.`);
    }
    tensors.push([name, tensor]);
  }
  return { tensors, storages, end };
}

/**
 * The weights of a state dict once its storages can be read: `storageBytes(storage)` returns the
 * `numel` elements of a root storage (a view into the file). Contiguous tensors are views into those
 * bytes, so tied weights share them; others are copied into row-major order.
 */
export function stateDictWeights(
  stateDict: PickledStateDict,
  storageBytes: (storage: StorageRef) => Uint8Array,
  where: WeightFileRef,
): ModelWeights {
  return checkpointWeights(
    stateDict.tensors.map(([name, tensor]): WeightTensor => {
      const { storage } = tensor;
      const size = elementSize(storage.dtype);
      let bytes = storageBytes(storage);
      if (storage.view) bytes = bytes.subarray(storage.view.offset * size, (storage.view.offset + storage.view.numel) * size);
      const fail = (reason: string) =>
        invalidWeightFile(where, `tensor ${JSON.stringify(name)} cannot be read from ${storage.describe()}: ${reason}.`);
      return {
        name,
        dtype: storage.dtype,
        shape: Object.freeze([...tensor.size]),
        bytes: stridedTensorBytes(bytes, size, tensor, fail),
      };
    }),
    where,
  );
}
