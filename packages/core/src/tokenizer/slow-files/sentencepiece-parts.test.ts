import { describe, expect, it } from 'vitest';
import { precompiledNormalizer, sentencePieceAddedTokens } from './sentencepiece-parts.js';
import { SentencePieceType, type SentencePieceModel } from './sentencepiece-model.js';

function model(charsmap: Uint8Array): SentencePieceModel {
  return {
    pieces: [
      { piece: '<unk>', score: 0, type: SentencePieceType.Unknown },
      { piece: '<s>', score: 0, type: SentencePieceType.Control },
      { piece: '<sep>', score: 0, type: SentencePieceType.UserDefined },
      { piece: 'a', score: -1, type: SentencePieceType.Normal },
    ],
    trainerSpec: { modelType: 1, unkId: 0, bosId: 1, eosId: -1, padId: -1, byteFallback: false },
    normalizerSpec: { name: 'identity', precompiledCharsmap: charsmap, addDummyPrefix: true, removeExtraWhitespaces: true },
  };
}

describe('SentencePiece parts of tokenizer.json', () => {
  it('adds CONTROL pieces as special tokens and USER_DEFINED ones as plain ones, both matched in the raw text', () => {
    expect(
      sentencePieceAddedTokens(model(new Uint8Array(0))).map(({ content, special, normalized }) => [content, special, normalized]),
    ).toEqual([
      ['<s>', true, false],
      ['<sep>', false, false],
    ]);
  });

  it('has no Precompiled normaliser for a model without rules (transformers 5 fails on those)', () => {
    expect(precompiledNormalizer(model(new Uint8Array(0)))).toBeNull();
    expect(precompiledNormalizer(model(new Uint8Array([1, 2, 3])))).toEqual({ type: 'Precompiled', precompiled_charsmap: 'AQID' });
  });
});
