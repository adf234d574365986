import { describe, expect, it } from 'vitest';
import { resolveModelMaxLength } from './resolve-model-max-length.js';

describe('resolveModelMaxLength', () => {
  it("takes the tokenizer's model_max_length, capped by the position table", () => {
    expect(resolveModelMaxLength({ model_max_length: 512 }, { model_type: 'bert', max_position_embeddings: 512 })).toBe(512);
    expect(resolveModelMaxLength({ model_max_length: 1024 }, { model_type: 'bert', max_position_embeddings: 512 })).toBe(512);
    expect(resolveModelMaxLength({ model_max_length: 128 }, { model_type: 'bert', max_position_embeddings: 512 })).toBe(128);
  });

  it("ignores transformers' VERY_LARGE_INTEGER and falls back to the position table", () => {
    expect(resolveModelMaxLength({ model_max_length: 1e30 }, { model_type: 'bert', max_position_embeddings: 512 })).toBe(512);
    expect(resolveModelMaxLength({}, { model_type: 'bert' })).toBe(512);
  });

  it.each([
    ['roberta', 514, 1, 512],
    ['xlm-roberta', 514, 1, 512],
    ['camembert', 514, 1, 512],
    ['mpnet', 514, 1, 512],
    // The tiny fixtures: 128 + pad id 1 + 1.
    ['mpnet', 130, 1, 128],
    ['data2vec-text', 514, 1, 512],
  ])('%s with %i positions and pad id %i serves %i tokens (padding-based position ids)', (type, positions, pad, limit) => {
    expect(resolveModelMaxLength({}, { model_type: type, max_position_embeddings: positions, pad_token_id: pad })).toBe(limit);
  });

  it('an unknown type with a table of a power of two plus the offset is read as padding-based', () => {
    expect(resolveModelMaxLength({}, { model_type: 'some-roberta-kin', max_position_embeddings: 514, pad_token_id: 1 })).toBe(512);
    expect(resolveModelMaxLength({}, { model_type: 'some-bert-kin', max_position_embeddings: 512, pad_token_id: 0 })).toBe(512);
    expect(resolveModelMaxLength({}, { model_type: 'some-bert-kin', max_position_embeddings: 2048, pad_token_id: 0 })).toBe(2048);
  });

  it('ESM: absolute positions are padding-based, rotary ones are not', () => {
    const esm = { model_type: 'esm', max_position_embeddings: 1026, pad_token_id: 1 };
    expect(resolveModelMaxLength({}, { ...esm, position_embedding_type: 'absolute' })).toBe(1024);
    expect(resolveModelMaxLength({}, { ...esm, position_embedding_type: 'rotary' })).toBe(1026);
  });
});
