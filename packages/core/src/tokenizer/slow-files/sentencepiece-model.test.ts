import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { slowTokenizerFixturePath } from '@fillmask/fixtures';
import { toBase64 } from './base64.js';
import { readSentencePieceModel, SentencePieceModelType, SentencePieceType } from './sentencepiece-model.js';
import { loadSlowTokenizerExpectation } from './slow-tokenizer-fixtures.test-helper.js';

const albertModel = () => readSentencePieceModel(readFileSync(join(slowTokenizerFixturePath('sentencepiece-albert'), 'spiece.model')));

describe('readSentencePieceModel', () => {
  it('reads the pieces, scores and types of an ALBERT-layout model', () => {
    const model = albertModel();
    expect(model.pieces.length).toBe(1000);
    expect(model.pieces.slice(0, 6).map(({ piece, type }) => [piece, type])).toEqual([
      ['<pad>', SentencePieceType.Control],
      ['<unk>', SentencePieceType.Unknown],
      ['[CLS]', SentencePieceType.Control],
      ['[SEP]', SentencePieceType.Control],
      ['[MASK]', SentencePieceType.UserDefined],
      ['s', SentencePieceType.Normal],
    ]);
    // AlbertTokenizer takes the pieces as they are: Python's Unigram vocabulary is the file's pieces.
    const python = loadSlowTokenizerExpectation('sentencepiece-albert').variants[0].unigram_vocab!;
    expect(model.pieces.map(({ piece }) => piece)).toEqual(python.map(([piece]) => piece));
    expect(model.pieces[5].score).toBe(Math.fround(-2.8804709911346436));
  });

  it('reads the trainer spec, negative ids included, and the normalizer spec', () => {
    const model = albertModel();
    expect(model.trainerSpec).toEqual({
      modelType: SentencePieceModelType.Unigram,
      unkId: 1,
      bosId: -1,
      eosId: -1,
      padId: 0,
      byteFallback: false,
    });
    expect(model.normalizerSpec.name).toBe('nmt_nfkc');
    expect(model.normalizerSpec.precompiledCharsmap.length).toBe(240007);
    expect([model.normalizerSpec.addDummyPrefix, model.normalizerSpec.removeExtraWhitespaces]).toEqual([true, true]);
    // The charsmap, as base64, is the one Python wrote into tokenizer.json.
    const python = loadSlowTokenizerExpectation('sentencepiece-albert').variants[0].tokenizer as {
      normalizer: { normalizers: Array<Record<string, string>> };
    };
    const precompiled = python.normalizer.normalizers.find((normalizer) => normalizer.type === 'Precompiled')!;
    const hash = createHash('sha256').update(toBase64(model.normalizerSpec.precompiledCharsmap), 'ascii').digest('hex');
    expect(`sha256:${hash}`).toBe(precompiled.precompiled_charsmap);
  });

  it('reads the default layout of XLM-R and CamemBERT (<unk> <s> </s>)', () => {
    const model = readSentencePieceModel(readFileSync(join(slowTokenizerFixturePath('sentencepiece-fairseq'), 'sentencepiece.bpe.model')));
    expect(model.pieces.slice(0, 3).map(({ piece, type }) => [piece, type])).toEqual([
      ['<unk>', 2],
      ['<s>', 3],
      ['</s>', 3],
    ]);
    expect([model.trainerSpec.unkId, model.trainerSpec.bosId, model.trainerSpec.eosId, model.trainerSpec.padId]).toEqual([0, 1, 2, -1]);
  });

  it('rejects bytes that are no SentencePiece model', () => {
    expect(() => readSentencePieceModel(new TextEncoder().encode('{"version": "1.0"}'))).toThrow(RangeError);
    expect(() => readSentencePieceModel(new Uint8Array(0))).toThrow(/has pieces, this file has none/);
  });
});
