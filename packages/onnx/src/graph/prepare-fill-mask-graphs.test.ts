import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath, type FixtureModel } from '@fillmask/fixtures';
import { prepareFillMaskGraphs } from './prepare-fill-mask-graphs.js';
import { readModelWithWeightsByReference } from './weights-by-reference.js';

const modelFile = (model: FixtureModel, file: string) => new Uint8Array(readFileSync(join(fixtureModelPath(model), 'onnx', file)));

describe('prepareFillMaskGraphs: the notes on the convolution rewrite', () => {
  const fp32 = modelFile('tiny-roberta', 'model.onnx');
  const rowsNote = /^rewritten: \d+ ops, the vocabulary projection among them, run on the mask rows only$/;

  it('at the mask rows, says how many products it converted', () => {
    const { single, notes } = prepareFillMaskGraphs(fp32, { pointwiseConvolutions: 'mask-rows' });
    expect(single.positionsInput).toBeDefined();
    expect(notes).toHaveLength(2);
    expect(notes[0]).toMatch(rowsNote);
    expect(notes[1]).toBe('5 weight products run as 1×1 convolutions (5 with their bias)');
  });

  it('at the mask rows, adds nothing when no rows are gathered or none of their products is fp32', () => {
    expect(prepareFillMaskGraphs(fp32, { pointwiseConvolutions: 'mask-rows', maskRowsOnly: false })).toMatchObject({
      single: {},
      notes: ['runs unchanged, computing logits at every position: maskRowsOnly is false'],
    });
    const quantized = modelFile('tiny-bert-uncased', 'model_quantized.onnx');
    const atMaskRows = prepareFillMaskGraphs(quantized, { pointwiseConvolutions: 'mask-rows' }).notes;
    expect(atMaskRows.filter((note) => note.includes('convolution'))).toEqual([]);
    // Asked to convert every product, it says why there is none.
    expect(prepareFillMaskGraphs(quantized, { pointwiseConvolutions: 'everywhere' }).notes).toContain(
      'no weight product runs as a 1×1 convolution: no product of activations by an fp32 weight matrix',
    );
  });

  it('says why products it could convert were not: weights in external data and no reader', async () => {
    const { model } = await readModelWithWeightsByReference(
      { size: fp32.length, read: async (offset, length) => fp32.slice(offset, offset + length) },
      { location: 'model.onnx' },
    );
    const { notes } = prepareFillMaskGraphs(model, { pointwiseConvolutions: 'mask-rows' });
    expect(notes[1]).toBe(
      'no weight product runs as a 1×1 convolution: its fp32 weight matrices lie in external data, and no reader of it was given',
    );
  });
});
