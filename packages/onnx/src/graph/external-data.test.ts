import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import { externalDataLocations, relocateExternalData } from './external-data.js';
import { readModelWithWeightsByReference } from './weights-by-reference.js';

const original = new Uint8Array(readFileSync(join(fixtureModelPath('tiny-roberta'), 'onnx', 'model.onnx')));
const reader = { size: original.length, read: async (offset: number, length: number) => original.slice(offset, offset + length) };

/** The model with its large weights named as lying in `location`. */
async function withExternalData(location: string): Promise<Uint8Array> {
  return (await readModelWithWeightsByReference(reader, { location })).model;
}

describe('externalDataLocations', () => {
  it('lists the files a graph keeps weights in, once each, and none for a graph that keeps them all', async () => {
    expect(externalDataLocations(original)).toEqual([]);
    expect(externalDataLocations(await withExternalData('model.onnx_data'))).toEqual(['model.onnx_data']);
  });

  it('is empty for bytes that are no model', () => {
    expect(externalDataLocations(new TextEncoder().encode('{"not": "onnx"}'))).toEqual([]);
  });
});

describe('relocateExternalData', () => {
  it('renames the files the references name, and changes nothing else', async () => {
    const model = await withExternalData('model.onnx_data');
    const relocated = relocateExternalData(model, new Map([['model.onnx_data', '8d4c0a1b7e']]));
    expect(externalDataLocations(relocated)).toEqual(['8d4c0a1b7e']);
    // Back again: the same bytes, so offsets, lengths and every other field came through untouched.
    expect(Buffer.compare(relocateExternalData(relocated, new Map([['8d4c0a1b7e', 'model.onnx_data']])), model)).toBe(0);
  });

  it('returns the same model when no name changes', async () => {
    const model = await withExternalData('model.onnx_data');
    expect(relocateExternalData(model, new Map([['model.onnx_data', 'model.onnx_data']]))).toBe(model);
    expect(relocateExternalData(model, new Map([['other.bin', 'x']]))).toBe(model);
    expect(relocateExternalData(original, new Map([['model.onnx_data', 'x']]))).toBe(original);
  });
});
