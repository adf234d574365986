import type { WeightDtype } from '../model-weights.js';
import { describeValue, type PickleFail, type PickleGlobals } from '../pickle/restricted-unpickler.js';
import type { StridedLayout } from './strided-tensor-bytes.js';

/**
 * The globals a `torch.save`d state dict of dense tensors names, and nothing else (checked against
 * torch 2.x's serialization.py and _utils.py and against files it writes, protocols 2 to 5, zip and
 * legacy): the dict itself, the rebuild functions of tensors and parameters, and the legacy storage
 * classes as the type of each storage's persistent id. Each is a data constructor here.
 */
const storageDtypes: Readonly<Record<string, WeightDtype>> = {
  DoubleStorage: 'F64',
  FloatStorage: 'F32',
  HalfStorage: 'F16',
  BFloat16Storage: 'BF16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ShortStorage: 'I16',
  CharStorage: 'I8',
  ByteStorage: 'U8',
  BoolStorage: 'BOOL',
};

type AllowedFunction =
  | 'collections.OrderedDict'
  | 'torch._utils._rebuild_tensor_v2'
  | 'torch._utils._rebuild_tensor'
  | 'torch._utils._rebuild_parameter'
  | 'torch._utils._rebuild_parameter_with_state';

const allowedFunctions: readonly AllowedFunction[] = [
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_tensor',
  'torch._utils._rebuild_parameter',
  'torch._utils._rebuild_parameter_with_state',
];

/** Why some globals that torch does write are refused all the same, for the error message. */
const refusalHints: Readonly<Record<string, string>> = {
  'torch._utils._rebuild_tensor_v3':
    'torch writes it for dtypes without a legacy storage class (uint16, uint32, float8, ...), which fillmask does not read',
  'torch.storage.UntypedStorage':
    'torch writes it for raw storages and for dtypes without a legacy storage class (with _rebuild_tensor_v3), which fillmask does not read',
  'torch.serialization._get_layout': 'only sparse tensors name a layout; fillmask reads dense tensors',
  'torch._utils._rebuild_sparse_tensor': 'fillmask reads dense tensors',
  'torch._utils._rebuild_qtensor': 'fillmask reads unquantized tensors',
  'torch._tensor._rebuild_from_type_v2': 'torch writes it for tensor subclasses and tensors with Python attributes',
};

/** A legacy storage class (`torch.FloatStorage`, ...), the type in a storage's persistent id. */
export class TorchStorageType {
  constructor(
    readonly name: string,
    readonly dtype: WeightDtype,
  ) {}

  describe(): string {
    return `torch.${this.name}`;
  }
}

/** An allow-listed function, as GLOBAL pushes it; REDUCE gives it meaning. */
class TorchFunction {
  constructor(readonly name: AllowedFunction) {}

  describe(): string {
    return this.name;
  }
}

/** A storage a persistent id names: `numel` elements of `dtype` under `key` (a zip entry, or a legacy storage). */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: WeightDtype,
    readonly numel: number,
    /** Legacy files may name a view of a storage: `viewNumel` elements from element `viewOffset`. */
    readonly view?: { readonly offset: number; readonly numel: number },
  ) {}

  describe(): string {
    return `storage ${JSON.stringify(this.key)} (${this.numel} ${this.dtype})`;
  }
}

/** A tensor as `_rebuild_tensor_v2` would build it: a layout over a storage. */
export class TensorRecord implements StridedLayout {
  constructor(
    readonly storage: StorageRef,
    readonly storageOffset: number,
    readonly size: readonly number[],
    readonly stride: readonly number[],
  ) {}

  describe(): string {
    return `a ${this.storage.dtype} tensor of shape [${this.size.join(', ')}]`;
  }
}

/** What a pickle's persistent ids named, by storage key: `dtype` and element count. */
export type StorageTable = Map<string, StorageRef>;

/**
 * The PickleGlobals of a torch state dict. Persistent ids are `('storage', storage_type, key,
 * location, numel)` in zip files, with a sixth `view_metadata` in legacy ones; each storage seen is
 * recorded in `storages` (the same key twice must name the same dtype and size).
 */
export function torchStateDictGlobals(storages: StorageTable): PickleGlobals {
  return {
    findGlobal(module, name, fail) {
      const qualified = `${module}.${name}`;
      if (module === 'torch' && Object.hasOwn(storageDtypes, name)) return new TorchStorageType(name, storageDtypes[name]);
      if ((allowedFunctions as readonly string[]).includes(qualified)) return new TorchFunction(qualified as AllowedFunction);
      const hint = refusalHints[qualified];
      throw fail(
        `it names the global ${qualified}, which is not allowed${hint ? ` (${hint})` : ''}: a state dict of tensors needs only ` +
          `${allowedFunctions.join(', ')} and the torch.*Storage classes, and nothing else is ever imported or run.`,
      );
    },

    reduce(callable, args, fail) {
      if (!(callable instanceof TorchFunction)) throw fail(`it calls ${describeValue(callable)}, which is not an allowed function.`);
      switch (callable.name) {
        case 'collections.OrderedDict':
          return orderedDict(args, fail);
        case 'torch._utils._rebuild_tensor_v2': {
          // (storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
          if (args.length !== 6 && args.length !== 7) throw fail(`_rebuild_tensor_v2 takes 6 or 7 arguments, got ${args.length}.`);
          const metadata = args[6];
          if (metadata !== undefined && metadata !== null && !(metadata instanceof Map && metadata.size === 0)) {
            throw fail(`a tensor with metadata ${describeValue(metadata)} (conjugate or negative bits), which fillmask does not read.`);
          }
          return tensorRecord(args, fail);
        }
        case 'torch._utils._rebuild_tensor':
          if (args.length !== 4) throw fail(`_rebuild_tensor takes 4 arguments, got ${args.length}.`);
          return tensorRecord(args, fail);
        case 'torch._utils._rebuild_parameter':
        case 'torch._utils._rebuild_parameter_with_state': {
          // (data, requires_grad, backward_hooks[, state]): a parameter is its tensor; the rest is training state.
          const arity = callable.name === 'torch._utils._rebuild_parameter' ? 3 : 4;
          if (args.length !== arity) throw fail(`${callable.name} takes ${arity} arguments, got ${args.length}.`);
          if (!(args[0] instanceof TensorRecord)) throw fail(`a parameter of ${describeValue(args[0])}, not a tensor.`);
          return args[0];
        }
      }
    },

    newObject(cls, args, fail) {
      if (cls instanceof TorchFunction && cls.name === 'collections.OrderedDict' && args.length === 0) return new Map();
      throw fail(`it instantiates ${describeValue(cls)}; only an empty OrderedDict may be.`);
    },

    build(object, _state, fail) {
      // nn.Module.state_dict() returns an OrderedDict with a `_metadata` attribute (module versions):
      // pickle sets it with BUILD. Its value is plain data and nothing reads it.
      if (object instanceof Map) return object;
      throw fail(`it sets the state of ${describeValue(object)}; only a dict's attributes may be set.`);
    },

    persistentLoad(pid, fail) {
      return storageRef(pid, storages, fail);
    },
  };
}

function orderedDict(args: readonly unknown[], fail: PickleFail): Map<unknown, unknown> {
  if (args.length === 0) return new Map();
  const [items] = args;
  if (args.length === 1 && items instanceof Map) return new Map(items);
  if (args.length === 1 && Array.isArray(items)) {
    const dict = new Map<unknown, unknown>();
    for (const pair of items) {
      if (!Array.isArray(pair) || pair.length !== 2) throw fail(`OrderedDict of ${describeValue(pair)}, not a (key, value) pair.`);
      dict.set(pair[0], pair[1]);
    }
    return dict;
  }
  throw fail(`OrderedDict called with ${args.length} arguments (${args.map(describeValue).join(', ')}).`);
}

function tensorRecord(args: readonly unknown[], fail: PickleFail): TensorRecord {
  const [storage, storageOffset, size, stride] = args;
  if (!(storage instanceof StorageRef)) throw fail(`a tensor rebuilt over ${describeValue(storage)}, not a storage.`);
  if (!isIntegerTuple([storageOffset])) throw fail(`a tensor with storage offset ${describeValue(storageOffset)}.`);
  if (!isIntegerTuple(size)) throw fail(`a tensor with size ${describeValue(size)}, not a tuple of integers.`);
  if (!isIntegerTuple(stride)) throw fail(`a tensor with stride ${describeValue(stride)}, not a tuple of integers.`);
  return new TensorRecord(storage, storageOffset as number, size, stride);
}

function isIntegerTuple(value: unknown): value is readonly number[] {
  return Array.isArray(value) && value.every((item) => Number.isSafeInteger(item));
}

function storageRef(pid: unknown, storages: StorageTable, fail: PickleFail): StorageRef {
  if (!Array.isArray(pid) || pid[0] !== 'storage' || (pid.length !== 5 && pid.length !== 6)) {
    throw fail(`a persistent id ${describeValue(pid)} that is not ('storage', type, key, location, numel[, view]).`);
  }
  const [, type, key, location, numel, view] = pid as unknown[];
  if (!(type instanceof TorchStorageType)) throw fail(`a persistent id whose storage type is ${describeValue(type)}.`);
  if (typeof key !== 'string') throw fail(`a persistent id whose key is ${describeValue(key)}, not a string.`);
  if (typeof location !== 'string') throw fail(`storage ${JSON.stringify(key)} has location ${describeValue(location)}, not a string.`);
  if (!Number.isSafeInteger(numel) || (numel as number) < 0)
    throw fail(`storage ${JSON.stringify(key)} has ${describeValue(numel)} elements.`);
  const known = storages.get(key);
  if (known && (known.dtype !== type.dtype || known.numel !== numel)) {
    throw fail(`storage ${JSON.stringify(key)} is named as ${known.numel} ${known.dtype} and as ${String(numel)} ${type.dtype}.`);
  }
  const root = known ?? new StorageRef(key, type.dtype, numel as number);
  storages.set(key, root);
  if (view === undefined || view === null) return root;
  // Legacy view_metadata: (view_key, offset, view_size), in elements of the root storage.
  if (
    !Array.isArray(view) ||
    view.length !== 3 ||
    !isIntegerTuple(view.slice(1)) ||
    view[1] < 0 ||
    view[2] < 0 ||
    view[1] + view[2] > root.numel
  ) {
    throw fail(`storage ${JSON.stringify(key)} has view metadata ${describeValue(view)} outside its ${root.numel} elements.`);
  }
  return new StorageRef(key, root.dtype, root.numel, { offset: view[1], numel: view[2] });
}
