import { existsSync } from 'node:fs';
import { InvalidModelFileError } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../model-files.test-helper.js';
import { torchStateDictGlobals } from '../torch/torch-pickle-globals.js';
import { callPickle, globalOp, pickleBytes, shortUnicode, stackGlobal } from './pickle-bytes.test-helper.js';
import { plainDataGlobals } from './plain-data-globals.js';
import { type PickleGlobals, unpickle } from './restricted-unpickler.js';

const where = { model: 'memory:test-model', file: 'pytorch_model.bin' };
const read = (bytes: Uint8Array, globals: PickleGlobals = plainDataGlobals) => unpickle(bytes, 0, globals, where).value;
const torchGlobals = () => torchStateDictGlobals(new Map());

/** The InvalidModelFileError that reading `bytes` throws; fails the test when it throws anything else or nothing. */
function refusal(bytes: Uint8Array, globals: PickleGlobals = plainDataGlobals): InvalidModelFileError {
  try {
    read(bytes, globals);
  } catch (error) {
    if (InvalidModelFileError.isInstance(error)) {
      expect(error.file).toBe('pytorch_model.bin');
      expect(error.model).toBe('memory:test-model');
      return error;
    }
    throw error;
  }
  throw new Error('expected the pickle to be refused');
}

describe('unpickle: plain data written by CPython', () => {
  it.each([2, 3, 4, 5])('reads every kind of value of a protocol %i pickle', async (protocol) => {
    const value = read(await fixtureBytes(`pickles/plain-values-protocol-${protocol}.pkl`)) as Map<string, unknown>;
    expect(value).toBeInstanceOf(Map);
    const expected: Record<string, unknown> = {
      int1: 7,
      int2: 300,
      int4: 70000,
      negative: -5,
      big: 2n ** 70n,
      negative_big: -(2 ** 40),
      float: 1.5,
      text: 'h\u00e9llo \u2713',
      none: null,
      true: true,
      false: false,
      list: [1, [2, 3]],
      tuple: [1, 'a', null],
      empty_tuple: [],
      pair: [1, 2],
      single: [3],
      nested: new Map([['a', new Map([['b', [[]]]])]]),
      last_again: 's299',
    };
    for (const [key, expectedValue] of Object.entries(expected)) expect(value.get(key), key).toEqual(expectedValue);
    if (protocol >= 3) expect(value.get('bytes')).toEqual(Uint8Array.of(0, 1, 255));
    if (protocol >= 4) {
      expect(value.get('set')).toEqual(new Set([1, 2]));
      expect(value.get('frozenset')).toEqual(new Set([3]));
    }
    expect(value.get('many')).toEqual(Array.from({ length: 300 }, (_, index) => `s${index}`));
    // The memo shares objects the way Python does; tuples are frozen, lists are not.
    expect(value.get('same_list')).toBe(value.get('list'));
    expect(Object.isFrozen(value.get('tuple'))).toBe(true);
    expect(Object.isFrozen(value.get('list'))).toBe(false);
  });

  it('returns the byte after STOP, so that a stream of pickles reads one after another', () => {
    const two = pickleBytes(0x80, [2], 'K', [5], '.', 0x80, [2], 'N', '.');
    const first = unpickle(two, 0, plainDataGlobals, where);
    expect(first).toEqual({ value: 5, end: 5 });
    expect(unpickle(two, first.end, plainDataGlobals, where)).toEqual({ value: null, end: 9 });
  });

  it('reads the integer and float encodings exactly', () => {
    expect(read(pickleBytes('J', [0xff, 0xff, 0xff, 0xff], '.'))).toBe(-1);
    expect(read(pickleBytes('M', [0x34, 0x12], '.'))).toBe(0x1234);
    expect(read(pickleBytes(0x8a, [0], '.'))).toBe(0);
    expect(read(pickleBytes(0x8a, [2, 0x00, 0x80], '.'))).toBe(-32768);
    expect(read(pickleBytes(0x8b, [9, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0, 1], '.'))).toBe(2n ** 64n);
    expect(read(pickleBytes('G', [0x3f, 0xf8, 0, 0, 0, 0, 0, 0], '.'))).toBe(1.5);
  });
});

describe('unpickle: globals', () => {
  it.each(['GLOBAL', 'STACK_GLOBAL'] as const)('refuses os.system named by %s, naming the global, before anything could run', (form) => {
    const error = refusal(callPickle('os', 'system', 'touch /tmp/fillmask-unpickler-ran-code', form), torchGlobals());
    expect(error.message).toContain('os.system');
    expect(error.message).toContain('not allowed');
    expect(error.reason).toMatch(form === 'GLOBAL' ? /opcode GLOBAL \(0x63\)/ : /opcode STACK_GLOBAL \(0x93\)/);
  });

  it.each([
    ['builtins', 'eval'],
    ['__builtin__', 'exec'],
    ['subprocess', 'Popen'],
    ['torch', 'load'],
    ['torch._utils', '_rebuild_tensor_v3'],
    ['torch.storage', 'UntypedStorage'],
    ['collections', 'OrderedDictX'],
  ])('refuses %s.%s', (module, name) => {
    expect(refusal(callPickle(module, name, 'x', 'GLOBAL'), torchGlobals()).message).toContain(`${module}.${name}`);
    expect(refusal(callPickle(module, name, 'x', 'STACK_GLOBAL'), torchGlobals()).message).toContain(`${module}.${name}`);
  });

  it.each([
    ['os-system-protocol-2.pkl', 'posix.system'],
    ['os-system-protocol-4.pkl', 'posix.system'],
    ['builtins-eval-protocol-4.pkl', 'builtins.eval'],
  ])('refuses the hostile pickle CPython wrote (%s) and runs nothing', async (file, global) => {
    const error = refusal(await fixtureBytes(`pickles/${file}`), torchGlobals());
    expect(error.message).toContain(global);
    expect(existsSync('/tmp/fillmask-unpickler-ran-code')).toBe(false);
  });

  it('refuses every global where only plain data is expected, even allow-listed torch ones', () => {
    expect(refusal(pickleBytes(0x80, [2], globalOp('collections', 'OrderedDict'), '.')).message).toContain('collections.OrderedDict');
  });

  it('never calls anything but the allow-listed rebuild functions: REDUCE on a string or a tuple is refused', () => {
    expect(refusal(pickleBytes(0x80, [2], shortUnicode('os.system'), ')', 'R', '.'), torchGlobals()).message).toContain(
      'not an allowed function',
    );
    expect(refusal(pickleBytes(0x80, [2], ')', ')', 'R', '.'), torchGlobals()).message).toContain('not an allowed function');
  });

  it('refuses NEWOBJ and BUILD on anything but an (empty) OrderedDict', () => {
    expect(refusal(pickleBytes(0x80, [2], stackGlobal('torch', 'FloatStorage'), ')', 0x81, '.'), torchGlobals()).message).toContain(
      'instantiates',
    );
    expect(refusal(pickleBytes(0x80, [2], ')', '}', 'b', '.'), torchGlobals()).message).toContain('sets the state');
  });
});

describe('unpickle: malformed pickles are typed errors', () => {
  it.each([
    ['an unknown opcode', pickleBytes(0x80, [2], 0xff, '.'), /0xff \(no pickle opcode\)/],
    ['INST, which would instantiate a class', pickleBytes('i', 'os\nsystem\n', '.'), /INST \(0x69\)/],
    ['OBJ', pickleBytes('(', 'o', '.'), /OBJ \(0x6f\)/],
    ['EXT1', pickleBytes(0x82, [1], '.'), /EXT1/],
    ['text-protocol INT', pickleBytes('I1\n.'), /INT \(0x49\)/],
    ['a pickle without STOP', pickleBytes(0x80, [2], 'K', [1]), /without a STOP/],
    ['an empty file', new Uint8Array(0), /without a STOP/],
    ['a truncated operand', pickleBytes(0x80, [2], 'X', [100, 0, 0, 0], 'abc'), /needs 100 more bytes/],
    ['a GLOBAL without its newline', pickleBytes(0x80, [2], 'cos\nsys'), /closing newline/],
    ['a string length past the end', pickleBytes(0x8d, [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f], '.'), /more bytes/],
    ['a frame longer than the file', pickleBytes(0x80, [4], 0x95, [0xff, 0, 0, 0, 0, 0, 0, 0], 'N.'), /frame of 255 bytes/],
    ['protocol 6', pickleBytes(0x80, [6], 'N.'), /protocol 6/],
    ['a memo entry never stored', pickleBytes(0x80, [2], 'h', [3], '.'), /memo entry 3/],
    ['a pop from an empty stack', pickleBytes(0x80, [2], '0', '.'), /needs a MARK|empty stack/],
    ['TUPLE without MARK', pickleBytes(0x80, [2], 'N', 't', '.'), /needs a MARK/],
    ['TUPLE2 with one value', pickleBytes(0x80, [2], 'N', 0x86, '.'), /needs 2 values/],
    ['APPEND to a tuple', pickleBytes(0x80, [2], ')', 'N', 'a', '.'), /not a list/],
    ['SETITEM on a list', pickleBytes(0x80, [2], ']', 'N', 'N', 's', '.'), /not a dict/],
    ['SETITEMS with a key and no value', pickleBytes(0x80, [2], '}', '(', 'N', 'u', '.'), /odd number/],
    ['STOP with two values', pickleBytes(0x80, [2], 'N', 'N', '.'), /instead of one value/],
    ['STOP inside a MARK', pickleBytes(0x80, [2], '(', 'N', '.'), /open marks/],
    ['invalid UTF-8', pickleBytes(0x80, [2], 0x8c, [2], [0xc3, 0x28], '.'), /not valid UTF-8/],
    ['an integer of 5000 bytes', pickleBytes(0x8b, [0x88, 0x13, 0, 0], new Uint8Array(5000), '.'), /5000 bytes/],
    ['a persistent id in plain data', pickleBytes(0x80, [2], 'N', 'Q', '.'), /persistent id/],
  ])('%s', (_what, bytes, message) => {
    expect(refusal(bytes).message).toMatch(message);
  });

  it('throws only typed errors, and always ends, on thousands of corrupted copies of real pickles', async () => {
    const sources = await Promise.all(
      ['pickles/plain-values-protocol-2.pkl', 'pickles/plain-values-protocol-5.pkl', 'pickles/os-system-protocol-4.pkl'].map(fixtureBytes),
    );
    // A fixed linear congruential generator: the same corruptions on every run.
    let seed = 12345;
    const random = (limit: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % limit;
    };
    let refused = 0;
    for (let round = 0; round < 3000; round++) {
      const source = sources[round % sources.length];
      const bytes = source.slice(0, random(source.byteLength) + 1);
      for (let flips = random(4); flips >= 0; flips--) bytes[random(bytes.byteLength)] = random(256);
      try {
        read(bytes, round % 2 === 0 ? plainDataGlobals : torchGlobals());
      } catch (error) {
        if (!InvalidModelFileError.isInstance(error)) throw error;
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(2500);
  });
});
