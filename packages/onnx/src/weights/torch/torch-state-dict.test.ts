import { InvalidModelFileError } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { float32Of } from '../float32-of.js';
import { binInt, globalOp, pickleBytes, shortUnicode, tupleOf } from '../pickle/pickle-bytes.test-helper.js';
import { stateDictWeights, unpickleStateDict } from './torch-state-dict.js';

const where = { model: 'memory:test-model', file: 'pytorch_model.bin' };
const ints = (...values: number[]) => tupleOf(...values.map(binInt));
const emptyOrderedDict = pickleBytes(globalOp('collections', 'OrderedDict'), ')', 'R');

/** A persistent id of a FloatStorage, legacy style when `view` is given. */
function storagePid(key: string, numel: number, view?: [string, number, number], type = 'FloatStorage'): Uint8Array {
  const viewPart = view ? tupleOf(shortUnicode(view[0]), binInt(view[1]), binInt(view[2])) : new Uint8Array(0);
  return pickleBytes(
    tupleOf(shortUnicode('storage'), globalOp('torch', type), shortUnicode(key), shortUnicode('cpu'), binInt(numel), viewPart),
    'Q',
  );
}

/** `_rebuild_tensor_v2(storage, offset, size, stride, False, OrderedDict())`. */
function tensorV2(storage: Uint8Array, offset: number, size: number[], stride: number[], extra: Uint8Array[] = []): Uint8Array {
  return pickleBytes(
    globalOp('torch._utils', '_rebuild_tensor_v2'),
    tupleOf(storage, binInt(offset), ints(...size), ints(...stride), pickleBytes(0x89), emptyOrderedDict, ...extra),
    'R',
  );
}

/** A state dict pickle `{name: tensor, ...}` built with OrderedDict([(name, tensor), ...]) (another form torch accepts). */
function stateDictPickle(entries: Array<[string, Uint8Array]>): Uint8Array {
  const pairs = entries.map(([name, tensor]) => pickleBytes(shortUnicode(name), tensor, 0x86));
  return pickleBytes(0x80, [2], globalOp('collections', 'OrderedDict'), pickleBytes(']', '(', ...pairs, 'e'), 0x85, 'R', '.');
}

const storageBytes = new Uint8Array(new Float32Array([0, 1, 2, 3, 4, 5, 6, 7]).buffer);

function read(pickle: Uint8Array) {
  return stateDictWeights(unpickleStateDict(pickle, 0, where), () => storageBytes, where);
}

function refusal(pickle: Uint8Array): InvalidModelFileError {
  try {
    read(pickle);
  } catch (error) {
    if (InvalidModelFileError.isInstance(error)) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('unpickleStateDict and stateDictWeights', () => {
  it('reads tensors from _rebuild_tensor_v2, _rebuild_tensor and _rebuild_parameter, in dict order', () => {
    const weights = read(
      stateDictPickle([
        ['v2', tensorV2(storagePid('0', 8), 2, [2], [1])],
        [
          'v1',
          pickleBytes(globalOp('torch._utils', '_rebuild_tensor'), tupleOf(storagePid('0', 8), binInt(0), ints(2, 2), ints(1, 2)), 'R'),
        ],
        [
          'param',
          pickleBytes(
            globalOp('torch._utils', '_rebuild_parameter'),
            tupleOf(tensorV2(storagePid('0', 8), 6, [2], [1]), pickleBytes(0x88), emptyOrderedDict),
            'R',
          ),
        ],
      ]),
    );
    expect(weights.names()).toEqual(['v2', 'v1', 'param']);
    expect([...float32Of(weights.get('v2')!)]).toEqual([2, 3]);
    expect([...float32Of(weights.get('v1')!)]).toEqual([0, 2, 1, 3]);
    expect([...float32Of(weights.get('param')!)]).toEqual([6, 7]);
  });

  it('reads a legacy view of a storage (view_metadata: key, offset, size in elements)', () => {
    const weights = read(stateDictPickle([['view', tensorV2(storagePid('root', 8, ['view-key', 4, 3]), 1, [2], [1])]]));
    expect([...float32Of(weights.get('view')!)]).toEqual([5, 6]);
    expect(weights.get('view')!.bytes.buffer).toBe(storageBytes.buffer);
  });

  it.each([
    ['a view outside its storage', stateDictPickle([['v', tensorV2(storagePid('root', 8, ['v', 6, 3]), 0, [1], [1])]]), /view metadata/],
    [
      'one key named with two dtypes',
      stateDictPickle([
        ['a', tensorV2(storagePid('0', 8), 0, [1], [1])],
        ['b', tensorV2(storagePid('0', 8, undefined, 'HalfStorage'), 0, [1], [1])],
      ]),
      /named as 8 F32 and as 8 F16/,
    ],
    [
      'a tensor with conjugate metadata',
      stateDictPickle([['c', tensorV2(storagePid('0', 8), 0, [1], [1], [pickleBytes('}', shortUnicode('conj'), 0x88, 's')])]]),
      /conjugate or negative bits/,
    ],
    [
      'a rebuild with the wrong arity',
      pickleBytes(0x80, [2], globalOp('torch._utils', '_rebuild_tensor_v2'), ')', 'R', '.'),
      /takes 6 or 7 arguments, got 0/,
    ],
    [
      'a tensor over something that is not a storage',
      stateDictPickle([['x', tensorV2(shortUnicode('0'), 0, [1], [1])]]),
      /over "0", not a storage/,
    ],
    [
      'a size that is no tuple of integers',
      stateDictPickle([
        [
          'x',
          pickleBytes(globalOp('torch._utils', '_rebuild_tensor'), tupleOf(storagePid('0', 8), binInt(0), shortUnicode('2'), ints(1)), 'R'),
        ],
      ]),
      /size "2"/,
    ],
    ['a persistent id that is no storage', pickleBytes(0x80, [2], tupleOf(shortUnicode('module')), 'Q', '.'), /persistent id/],
    [
      'a storage type that is no torch storage class',
      pickleBytes(
        0x80,
        [2],
        tupleOf(shortUnicode('storage'), shortUnicode('FloatStorage'), shortUnicode('0'), shortUnicode('cpu'), binInt(1)),
        'Q',
        '.',
      ),
      /storage type is "FloatStorage"/,
    ],
    ['a storage class that is called', pickleBytes(0x80, [2], globalOp('torch', 'FloatStorage'), ')', 'R', '.'), /not an allowed function/],
    [
      'a parameter of a non-tensor',
      pickleBytes(
        0x80,
        [2],
        globalOp('torch._utils', '_rebuild_parameter'),
        tupleOf(binInt(1), pickleBytes(0x89), emptyOrderedDict),
        'R',
        '.',
      ),
      /parameter of number 1/,
    ],
  ])('refuses %s', (_what, pickle, message) => {
    expect(refusal(pickle).message).toMatch(message);
  });

  it("accepts the BUILD that sets an OrderedDict's _metadata, and NEWOBJ of an empty OrderedDict", () => {
    const pickle = pickleBytes(
      0x80,
      [2],
      globalOp('collections', 'OrderedDict'),
      ')',
      0x81,
      shortUnicode('w'),
      tensorV2(storagePid('0', 8), 0, [1], [1]),
      's',
      '}',
      shortUnicode('_metadata'),
      '}',
      's',
      'b',
      '.',
    );
    expect(read(pickle).names()).toEqual(['w']);
  });
});
