import { describe, expect, it } from 'vitest';
import { checkpointNameOnLoad } from './checkpoint-names.js';

describe('checkpointNameOnLoad', () => {
  it.each([
    ['bert.embeddings.LayerNorm.gamma', 'bert.embeddings.LayerNorm.weight'],
    ['bert.embeddings.LayerNorm.beta', 'bert.embeddings.LayerNorm.bias'],
    ['encoder.layer.0.output.LayerNorm.gamma', 'encoder.layer.0.output.LayerNorm.weight'],
    // transformers 4.x _fix_key renamed bare gamma/beta too, anywhere in the name.
    ['encoder.layer_scale.gamma', 'encoder.layer_scale.weight'],
    ['pooler.beta', 'pooler.bias'],
    // beta is checked first, and then gamma is left alone (as _fix_key does).
    ['gamma.beta', 'gamma.bias'],
    ['bert.embeddings.LayerNorm.weight', 'bert.embeddings.LayerNorm.weight'],
    ['cls.predictions.decoder.weight', 'cls.predictions.decoder.weight'],
  ])('%s -> %s', (name, loaded) => {
    expect(checkpointNameOnLoad(name)).toBe(loaded);
  });
});
