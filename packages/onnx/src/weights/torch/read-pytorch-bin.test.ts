import { existsSync } from 'node:fs';
import { InvalidModelFileError } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { float32Of } from '../float32-of.js';
import { fixtureBytes } from '../model-files.test-helper.js';
import { callPickle, globalOp, pickleBytes, shortUnicode } from '../pickle/pickle-bytes.test-helper.js';
import { plainDataGlobals } from '../pickle/plain-data-globals.js';
import { unpickle } from '../pickle/restricted-unpickler.js';
import { readStoredZip } from '../zip/stored-zip-archive.js';
import { storedZip } from '../zip/stored-zip.test-helper.js';
import { readPytorchBin } from './read-pytorch-bin.js';
import { unpickleStateDict } from './torch-state-dict.js';

const where = { model: 'memory:test-model', file: 'pytorch_model.bin' };

function refusal(bytes: Uint8Array): InvalidModelFileError {
  try {
    readPytorchBin(bytes, where);
  } catch (error) {
    if (InvalidModelFileError.isInstance(error)) {
      expect(error.file).toBe('pytorch_model.bin');
      expect(error.message).toContain('pytorch_model.bin');
      return error;
    }
    throw error;
  }
  throw new Error('expected the checkpoint to be refused');
}

/** The real torch zip checkpoint with some entries replaced (`undefined` removes one), re-zipped. */
async function editedZip(edits: Record<string, Uint8Array | undefined>): Promise<Uint8Array> {
  const entries = readStoredZip(await fixtureBytes('torch-zip/pytorch_model.bin'), where);
  const kept = [...entries]
    .filter(([name]) => !(name in edits) || edits[name] !== undefined)
    .map(([name, data]): [string, Uint8Array] => [name, edits[name] ?? data]);
  for (const [name, data] of Object.entries(edits)) if (data && !entries.has(name)) kept.push([name, data]);
  return storedZip(kept);
}

/** A one-tensor state dict pickle `{'w': _rebuild_tensor_v2(storage '0' of 2 floats, offset, size, stride, False, OrderedDict())}`. */
function oneTensorPickle(numel = 2, size: number[] = [2], stride: number[] = [1], offset = 0): Uint8Array {
  const ints = (values: number[]) =>
    pickleBytes('(', ...values.map((value) => pickleBytes('J', new Uint8Array(new Int32Array([value]).buffer))), 't');
  return pickleBytes(
    0x80,
    [2],
    '}',
    shortUnicode('w'),
    globalOp('torch._utils', '_rebuild_tensor_v2'),
    '(',
    pickleBytes(
      '(',
      shortUnicode('storage'),
      globalOp('torch', 'FloatStorage'),
      shortUnicode('0'),
      shortUnicode('cpu'),
      'J',
      new Uint8Array(new Int32Array([numel]).buffer),
      't',
      'Q',
    ),
    'J',
    new Uint8Array(new Int32Array([offset]).buffer),
    ints(size),
    ints(stride),
    0x89,
    globalOp('collections', 'OrderedDict'),
    ')',
    'R',
    't',
    'R',
    's',
    '.',
  );
}

describe('readPytorchBin: the zip format', () => {
  it('reads a hand-made one-tensor archive (the opcodes torch writes, in any archive folder name)', () => {
    const bytes = readPytorchBin(
      storedZip([
        ['archive/data.pkl', oneTensorPickle()],
        ['archive/data/0', new Uint8Array(new Float32Array([1.5, -2]).buffer)],
      ]),
      where,
    );
    expect(bytes.get('w')).toMatchObject({ dtype: 'F32', shape: [2] });
    expect([...float32Of(bytes.get('w')!)]).toEqual([1.5, -2]);
  });

  it.each(['GLOBAL', 'STACK_GLOBAL'] as const)(
    'refuses a data.pkl that calls os.system through %s, naming it, and runs nothing',
    async (form) => {
      const bytes = await editedZip({
        'pytorch_model/data.pkl': callPickle('os', 'system', 'touch /tmp/fillmask-unpickler-ran-code', form),
      });
      const error = refusal(bytes);
      expect(error.message).toContain('os.system');
      expect(existsSync('/tmp/fillmask-unpickler-ran-code')).toBe(false);
    },
  );

  it('refuses an archive without data.pkl', async () => {
    expect(refusal(await editedZip({ 'pytorch_model/data.pkl': undefined })).message).toContain('without an <archive>/data.pkl entry');
    expect(refusal(storedZip([['data.pkl', oneTensorPickle()]])).message).toContain('without an <archive>/data.pkl entry');
  });

  it('refuses an archive with two data.pkl', async () => {
    expect(refusal(await editedZip({ 'other/data.pkl': oneTensorPickle() })).message).toContain('2 data.pkl entries');
  });

  it('refuses a storage the archive lacks, or holds too few bytes of', async () => {
    expect(refusal(await editedZip({ 'pytorch_model/data/3': undefined })).message).toContain('no entry pytorch_model/data/3');
    expect(refusal(await editedZip({ 'pytorch_model/data/0': new Uint8Array(8) })).message).toMatch(
      /pytorch_model\/data\/0 holds 8 bytes but its storage has 24 F32 elements/,
    );
  });

  it('refuses a tensor that reaches past its storage', () => {
    const archive = (pickle: Uint8Array) =>
      storedZip([
        ['a/data.pkl', pickle],
        ['a/data/0', new Uint8Array(8)],
      ]);
    expect(refusal(archive(oneTensorPickle(2, [3], [1]))).message).toMatch(
      /tensor "w" cannot be read from storage "0".*reach element 2 of a storage of 2/,
    );
    expect(refusal(archive(oneTensorPickle(2, [2], [1], 1))).message).toMatch(/reach element 2/);
    expect(refusal(archive(oneTensorPickle(2, [2, 2], [0, 1]))).message).toMatch(/expanded or overlapping/);
  });

  it('refuses a big-endian checkpoint', async () => {
    expect(refusal(await editedZip({ 'pytorch_model/byteorder': new TextEncoder().encode('big') })).message).toContain('big-endian');
  });

  it('refuses a pickle that is no state dict of tensors', async () => {
    const plain = (...parts: Parameters<typeof pickleBytes>) =>
      editedZip({ 'pytorch_model/data.pkl': pickleBytes(0x80, [2], ...parts, '.') });
    expect(refusal(await plain(']')).message).toContain('not a state dict');
    expect(refusal(await plain('}', shortUnicode('w'), 'K', [1], 's')).message).toContain('maps "w" to number 1, not a tensor');
    expect(refusal(await plain('}', 'K', [1], 'K', [1], 's')).message).toContain('has a key number 1');
  });

  it('refuses every truncation of a real archive', async () => {
    const bytes = await fixtureBytes('torch-zip/pytorch_model.bin');
    for (let length = 0; length < bytes.byteLength; length += 11) refusal(bytes.subarray(0, length));
  });
});

describe('readPytorchBin: the legacy format', () => {
  /** Where the storages of the legacy fixture start: after its five pickles. */
  async function legacyLayout() {
    const bytes = await fixtureBytes('torch-legacy/pytorch_model.bin');
    let end = 0;
    for (let index = 0; index < 3; index++) end = unpickle(bytes, end, plainDataGlobals, where).end;
    const stateDict = unpickleStateDict(bytes, end, where);
    const keys = unpickle(bytes, stateDict.end, plainDataGlobals, where);
    return { bytes, storagesStart: keys.end, keys: keys.value as string[] };
  }

  it('refuses every truncation of a real legacy file', async () => {
    const bytes = await fixtureBytes('torch-legacy/pytorch_model.bin');
    for (let length = 0; length < bytes.byteLength; length += 7)
      expect(refusal(bytes.subarray(0, length)).message).toMatch(/truncated|STOP|neither/);
  });

  it('refuses a storage whose element count disagrees with the state dict', async () => {
    const { bytes, storagesStart, keys } = await legacyLayout();
    const edited = bytes.slice();
    new DataView(edited.buffer).setUint32(storagesStart, 999, true);
    expect(refusal(edited).message).toMatch(new RegExp(`storage "${keys[0]}" holds 999 elements but the state dict says \\d+\\.`));
  });

  it('refuses a storage count that runs past the file (a 2^60-element lie)', async () => {
    const { bytes, storagesStart } = await legacyLayout();
    const edited = bytes.slice();
    new DataView(edited.buffer).setBigUint64(storagesStart, 2n ** 60n, true);
    expect(refusal(edited).message).toMatch(/holds \d+ elements/);
  });

  it('refuses a file that does not start with the magic number, or has another protocol version', () => {
    expect(refusal(pickleBytes(0x80, [2], 'K', [5], '.')).message).toContain("not torch's legacy magic number");
    const magic = pickleBytes(0x80, [2], 0x8a, [10], [0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19], '.');
    expect(refusal(pickleBytes(magic, 0x80, [2], 'M', [0xe8, 0x03], '.')).message).toContain('protocol version number 1000');
  });

  it('refuses a global in the header pickles, where only plain data may be', () => {
    expect(refusal(callPickle('os', 'system', 'touch /tmp/fillmask-unpickler-ran-code', 'GLOBAL')).message).toContain('os.system');
    expect(existsSync('/tmp/fillmask-unpickler-ran-code')).toBe(false);
  });
});

describe('readPytorchBin: neither format', () => {
  it.each([
    ['an empty file', new Uint8Array(0)],
    ['JSON', new TextEncoder().encode('{"weight_map": {}}')],
    ['a safetensors file', Uint8Array.of(2, 0, 0, 0, 0, 0, 0, 0, 0x7b, 0x7d)],
  ])('refuses %s', (_what, bytes) => {
    expect(refusal(bytes).message).toContain('neither a zip archive');
  });

  it('names the tar format of torch < 0.4', () => {
    const tar = new Uint8Array(1024);
    tar.set(new TextEncoder().encode('ustar'), 257);
    expect(refusal(tar).message).toContain('tar archive');
  });
});
