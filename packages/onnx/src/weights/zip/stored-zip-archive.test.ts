import { InvalidModelFileError } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { fixtureBytes } from '../model-files.test-helper.js';
import { readStoredZip } from './stored-zip-archive.js';
import { storedZip } from './stored-zip.test-helper.js';

const where = { model: 'memory:test-model', file: 'pytorch_model.bin' };
const text = (bytes: Uint8Array | undefined) => new TextDecoder().decode(bytes);

function refusal(bytes: Uint8Array): InvalidModelFileError {
  try {
    readStoredZip(bytes, where);
  } catch (error) {
    if (InvalidModelFileError.isInstance(error)) {
      expect(error.file).toBe('pytorch_model.bin');
      return error;
    }
    throw error;
  }
  throw new Error('expected the archive to be refused');
}

describe('readStoredZip', () => {
  it('reads the archive torch.save writes (zip64 end records, padded local headers): entries are views into the file', async () => {
    const bytes = await fixtureBytes('torch-zip/pytorch_model.bin');
    const entries = readStoredZip(bytes, where);
    expect([...entries.keys()]).toContain('pytorch_model/data.pkl');
    expect([...entries.keys()]).toContain('pytorch_model/data/0');
    expect(text(entries.get('pytorch_model/byteorder'))).toBe('little');
    expect(entries.get('pytorch_model/data.pkl')?.[0]).toBe(0x80);
    const storage = entries.get('pytorch_model/data/0') as Uint8Array;
    expect(storage.buffer).toBe(bytes.buffer);
    // torch pads local headers so that every storage starts 64-byte aligned in the file.
    expect(storage.byteOffset % 64).toBe(0);
  });

  it.each([false, true])('reads back what it is given, with zip64 fields: %s', (zip64) => {
    const archive = storedZip(
      [
        ['a/data.pkl', Uint8Array.of(1, 2, 3)],
        ['a/data/0', new Uint8Array(0)],
        ['a/data/1', Uint8Array.of(9)],
      ],
      { zip64 },
    );
    const entries = readStoredZip(archive, where);
    expect([...entries]).toEqual([
      ['a/data.pkl', Uint8Array.of(1, 2, 3)],
      ['a/data/0', new Uint8Array(0)],
      ['a/data/1', Uint8Array.of(9)],
    ]);
  });

  it('reads an archive that is a view into a larger buffer', () => {
    const archive = storedZip([['x/data.pkl', Uint8Array.of(7)]]);
    const padded = new Uint8Array(archive.byteLength + 13);
    padded.set(archive, 5);
    expect(readStoredZip(padded.subarray(5, 5 + archive.byteLength), where).get('x/data.pkl')).toEqual(Uint8Array.of(7));
  });

  it('refuses every truncation of a real torch archive with a typed error', async () => {
    const bytes = await fixtureBytes('torch-zip/pytorch_model.bin');
    for (let length = 0; length < bytes.byteLength; length += 7) {
      expect(refusal(bytes.subarray(0, length)).message).toMatch(/zip|entry|directory/);
    }
  });

  it.each([
    ['a compressed entry', storedZip([['a/data.pkl', Uint8Array.of(1)]], { method: 8 }), /compressed \(method 8\)/],
    ['an encrypted entry', storedZip([['a/data.pkl', Uint8Array.of(1)]], { flags: 1 }), /encrypted/],
    [
      'two entries of one name',
      storedZip([
        ['a/x', Uint8Array.of(1)],
        ['a/x', Uint8Array.of(2)],
      ]),
      /two entries named "a\/x"/,
    ],
    ['no end record', new TextEncoder().encode('PK\x03\x04 not really a zip'), /no zip end-of-central-directory/],
  ])('refuses %s', (_what, bytes, message) => {
    expect(refusal(bytes).message).toMatch(message);
  });

  it('refuses a central directory whose entry points at the wrong local header', () => {
    const archive = storedZip([
      ['a/one', Uint8Array.of(1)],
      ['a/two', Uint8Array.of(2)],
    ]);
    // Point the second central entry at the first local header: its name disagrees.
    const view = new DataView(archive.buffer);
    const directory = view.getUint32(archive.byteLength - 6, true);
    const second = directory + 46 + 'a/one'.length;
    view.setUint32(second + 42, 0, true);
    expect(refusal(archive).message).toMatch(/local header that disagrees/);
  });

  it('refuses sizes and offsets that point outside the file', () => {
    const archive = storedZip([['a/one', Uint8Array.of(1, 2, 3)]]);
    const view = new DataView(archive.buffer);
    const directory = view.getUint32(archive.byteLength - 6, true);
    const lying = archive.slice();
    new DataView(lying.buffer).setUint32(directory + 20, 1_000_000, true);
    new DataView(lying.buffer).setUint32(directory + 24, 1_000_000, true);
    expect(refusal(lying).message).toMatch(/runs into the central directory/);
    const farOffset = archive.slice();
    new DataView(farOffset.buffer).setUint32(directory + 42, 0xfffffff0, true);
    expect(refusal(farOffset).message).toMatch(/no local header/);
    const farDirectory = archive.slice();
    new DataView(farDirectory.buffer).setUint32(farDirectory.byteLength - 6, 0x7fffffff, true);
    expect(refusal(farDirectory).message).toMatch(/central directory/);
  });
});
