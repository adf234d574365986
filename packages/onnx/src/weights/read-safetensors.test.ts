import { InvalidModelFileError } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { float32Of } from './float32-of.js';
import { fixtureBytes } from './model-files.test-helper.js';
import { readSafetensors } from './read-safetensors.js';

const where = { model: 'memory:test-model', file: 'model.safetensors' };

/** A safetensors file of `header` (an object, or raw text) over `data`; `headerLength` overrides the length field. */
function safetensorsFile(header: object | string, data: Uint8Array = new Uint8Array(0), headerLength?: number | bigint): Uint8Array {
  const headerBytes = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const file = new Uint8Array(8 + headerBytes.byteLength + data.byteLength);
  new DataView(file.buffer).setBigUint64(0, BigInt(headerLength ?? headerBytes.byteLength), true);
  file.set(headerBytes, 8);
  file.set(data, 8 + headerBytes.byteLength);
  return file;
}

function refusal(bytes: Uint8Array): InvalidModelFileError {
  try {
    readSafetensors(bytes, where);
  } catch (error) {
    if (InvalidModelFileError.isInstance(error)) {
      expect(error.file).toBe('model.safetensors');
      expect(error.message).toContain('model.safetensors');
      return error;
    }
    throw error;
  }
  throw new Error('expected the file to be refused');
}

describe('readSafetensors', () => {
  it('reads the file safetensors wrote: tensors as views into the file bytes, renamed like transformers', async () => {
    const bytes = await fixtureBytes('safetensors/model.safetensors');
    const weights = readSafetensors(bytes, where);
    const norm = weights.get('embeddings.LayerNorm.weight');
    expect(norm).toMatchObject({ dtype: 'F32', shape: [4] });
    expect([...float32Of(norm!)]).toEqual([1, 0.5, 2, -1]);
    expect(weights.get('embeddings.LayerNorm.gamma')).toBeUndefined();
    for (const name of weights.names()) expect(weights.get(name)?.bytes.buffer).toBe(bytes.buffer);
  });

  it('ignores __metadata__, keeps the header order, and reads a file that is a view into a larger buffer', () => {
    const data = new Uint8Array(new Float32Array([1, 2, 3]).buffer);
    const file = safetensorsFile(
      {
        __metadata__: { format: 'pt' },
        b: { dtype: 'F32', shape: [1], data_offsets: [8, 12] },
        a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
      },
      data,
    );
    const padded = new Uint8Array(file.byteLength + 3);
    padded.set(file, 3);
    const weights = readSafetensors(padded.subarray(3, 3 + file.byteLength), where);
    expect(weights.names()).toEqual(['b', 'a']);
    expect(weights.byteLength).toBe(12);
    expect([...float32Of(weights.get('a')!)]).toEqual([1, 2]);
    expect([...float32Of(weights.get('b')!)]).toEqual([3]);
  });

  it('reads a 50 MB F32 tensor without copying it: its bytes are the file buffer', () => {
    const count = (50 * 1024 * 1024) / 4;
    const header = new TextEncoder().encode(
      JSON.stringify({ big: { dtype: 'F32', shape: [count / 1024, 1024], data_offsets: [0, count * 4] } }).padEnd(120, ' '),
    );
    const file = new Uint8Array(8 + header.byteLength + count * 4);
    new DataView(file.buffer).setBigUint64(0, BigInt(header.byteLength), true);
    file.set(header, 8);
    new DataView(file.buffer).setFloat32(8 + header.byteLength + 4 * (count - 1), 42, true);
    const started = performance.now();
    const big = readSafetensors(file, where).get('big')!;
    const values = float32Of(big);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(big.bytes.buffer).toBe(file.buffer);
    expect(big.bytes.byteOffset).toBe(8 + header.byteLength);
    expect(values.buffer).toBe(file.buffer);
    expect(values[count - 1]).toBe(42);
  });

  it('refuses every truncation of a real file', async () => {
    const bytes = await fixtureBytes('safetensors/model.safetensors');
    for (let length = 0; length < bytes.byteLength; length += 5) {
      expect(refusal(bytes.subarray(0, length)).message).toMatch(/8-byte header length|past the end/);
    }
  });

  const tensor = (dtype: unknown, shape: unknown, data_offsets: unknown) => ({ dtype, shape, data_offsets });
  it.each([
    ['a file shorter than the length field', new Uint8Array(5), /5 bytes long/],
    ['a header length past the end', safetensorsFile({}, new Uint8Array(0), 1000), /header length \(1000 bytes\) runs past the end/],
    ['a header length of 2^60', safetensorsFile({}, new Uint8Array(0), 2n ** 60n), /runs past the end/],
    ['a header that is not JSON', safetensorsFile('{"a": '), /not UTF-8 JSON/],
    ['a header that is not UTF-8', safetensorsFile('{}').map((byte, index) => (index === 8 ? 0xff : byte)), /not UTF-8 JSON/],
    ['a header that is a JSON array', safetensorsFile('[]'), /not a JSON object/],
    ['an entry that is not an object', safetensorsFile({ a: 3 }), /entry of tensor "a" is not an object/],
    ['an unknown dtype', safetensorsFile({ a: tensor('U16', [1], [0, 2]) }, new Uint8Array(2)), /dtype "U16"/],
    ['a float8 dtype', safetensorsFile({ a: tensor('F8_E4M3', [1], [0, 1]) }, new Uint8Array(1)), /dtype "F8_E4M3"/],
    ['a negative dim', safetensorsFile({ a: tensor('F32', [-1, 2], [0, 8]) }, new Uint8Array(8)), /shape \[-1,2\]/],
    ['a non-integer dim', safetensorsFile({ a: tensor('F32', [1.5], [0, 4]) }, new Uint8Array(4)), /shape \[1.5\]/],
    ['a shape that is no list', safetensorsFile({ a: tensor('F32', '2', [0, 8]) }, new Uint8Array(8)), /shape "2"/],
    ['offsets that are not a pair', safetensorsFile({ a: tensor('F32', [1], [0]) }, new Uint8Array(4)), /data_offsets \[0\]/],
    ['negative offsets', safetensorsFile({ a: tensor('F32', [1], [-4, 0]) }, new Uint8Array(4)), /data_offsets \[-4,0\]/],
    ['an end before the begin', safetensorsFile({ a: tensor('F32', [0], [4, 0]) }, new Uint8Array(4)), /end is before the begin/],
    [
      'offsets that do not match shape x dtype',
      safetensorsFile({ a: tensor('F32', [3], [0, 8]) }, new Uint8Array(8)),
      /needs 12 bytes but .* hold 8/,
    ],
    [
      'a shape whose size overflows',
      safetensorsFile({ a: tensor('F64', [2 ** 40, 2 ** 40], [0, 8]) }, new Uint8Array(8)),
      /needs .* bytes but/,
    ],
    [
      'offsets past the end of the data',
      safetensorsFile({ a: tensor('F32', [4], [0, 16]) }, new Uint8Array(8)),
      /past the end of the data \(8 bytes\)/,
    ],
    [
      'overlapping tensors',
      safetensorsFile({ a: tensor('F32', [2], [0, 8]), b: tensor('F32', [2], [4, 12]) }, new Uint8Array(12)),
      /"b" \(bytes 4 to 12\) overlaps "a"/,
    ],
    [
      'two names for the same bytes',
      safetensorsFile({ a: tensor('F32', [1], [0, 4]), b: tensor('F32', [1], [0, 4]) }, new Uint8Array(4)),
      /overlaps/,
    ],
    [
      'a hole between tensors',
      safetensorsFile({ a: tensor('F32', [1], [0, 4]), b: tensor('F32', [1], [8, 12]) }, new Uint8Array(12)),
      /hole: bytes 4 to 8/,
    ],
    ['bytes after the last tensor', safetensorsFile({ a: tensor('F32', [1], [0, 4]) }, new Uint8Array(10)), /6 bytes belong to no tensor/],
    [
      'a name that becomes another after renaming',
      safetensorsFile({ 'x.gamma': tensor('U8', [1], [0, 1]), 'x.weight': tensor('U8', [1], [1, 2]) }, new Uint8Array(2)),
      /both "x.gamma" and "x.weight"/,
    ],
  ])('refuses %s', (_what, bytes, message) => {
    expect(refusal(bytes).message).toMatch(message);
  });

  it('reads empty tensors and an empty file', () => {
    expect(readSafetensors(safetensorsFile({}), where).names()).toEqual([]);
    const weights = readSafetensors(
      safetensorsFile({ e: tensor('F32', [0, 3], [0, 0]), s: tensor('I8', [], [0, 1]) }, Uint8Array.of(0xff)),
      where,
    );
    expect(weights.get('e')).toMatchObject({ shape: [0, 3] });
    expect(weights.get('e')?.bytes.byteLength).toBe(0);
    expect([...float32Of(weights.get('s')!)]).toEqual([-1]);
  });
});
