import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { externalDataReader } from './external-data-reader.js';

describe('externalDataReader', () => {
  const folder = mkdtempSync(join(tmpdir(), 'fillmask-reader-'));
  mkdirSync(join(folder, 'weights'));
  writeFileSync(
    join(folder, 'model.onnx_data'),
    Uint8Array.from({ length: 100 }, (_, index) => index),
  );
  writeFileSync(join(folder, 'weights', 'part.bin'), Uint8Array.of(7, 8, 9));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const read = externalDataReader(folder);

  it('reads the byte range asked for, in the folder and below it', () => {
    expect(read('model.onnx_data', 10, 5)).toEqual(Uint8Array.of(10, 11, 12, 13, 14));
    expect(read('weights/part.bin', 1, 2)).toEqual(Uint8Array.of(8, 9));
    expect(read('model.onnx_data', 0, 0)).toEqual(new Uint8Array(0));
  });

  it('refuses names outside the folder, and a range past the end of the file', () => {
    expect(() => read('../model.onnx_data', 0, 1)).toThrow(/is not inside/);
    expect(() => read('weights/../../x', 0, 1)).toThrow(/is not inside/);
    expect(() => read(join(folder, 'model.onnx_data'), 0, 1)).toThrow(/is not inside/);
    expect(() => read('model.onnx_data', 95, 10)).toThrow('external data model.onnx_data ends before byte 105');
    expect(() => read('missing.bin', 0, 1)).toThrow(/ENOENT/);
  });
});
