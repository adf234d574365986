import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelPath, type FixtureModel } from '@fillmask/fixtures';
import type { ModelFiles } from '../model-source/model-files.js';
import type { ModelConfig } from '../model/model-config.js';
import { FillMaskError } from '../errors/fill-mask-error.js';
import { ModelFileNotFoundError } from '../errors/model-file-not-found-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { loadTokenizer } from './load-tokenizer.js';
import { readJsonOrEmpty, slowTokenizerFiles } from './slow-files/slow-tokenizer-fixtures.test-helper.js';

/** transformers' VERY_LARGE_INTEGER, as `save_pretrained` writes it for tokenizers without a limit. */
const veryLargeInteger = '1000000000000000019884624838656';

/**
 * A fixture's files in memory, with some replaced: a string is the new content, null removes the
 * file. Reading a missing file rejects with ModelFileNotFoundError, as the real sources do.
 */
function modifiedFixture(model: FixtureModel, overrides: Record<string, string | null> = {}): ModelFiles {
  const folder = fixtureModelPath(model);
  const location = `memory:${model}`;
  const content = (path: string): Uint8Array | null => {
    if (path in overrides) return overrides[path] === null ? null : new TextEncoder().encode(overrides[path]!);
    return existsSync(join(folder, path)) ? readFileSync(join(folder, path)) : null;
  };
  return {
    location,
    read: async (path) => {
      const bytes = content(path);
      if (bytes === null) throw new ModelFileNotFoundError({ model: location, file: path });
      return bytes;
    },
    exists: async (path) => content(path) !== null,
  };
}

function fixtureJson(model: FixtureModel, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(fixtureModelPath(model), file), 'utf8')) as Record<string, unknown>;
}

const modelConfig = (model: FixtureModel) => fixtureJson(model, 'config.json') as ModelConfig;

/** tokenizer.json with the added tokens that `drop` matches removed. */
function withoutAddedTokens(model: FixtureModel, drop: (content: string) => boolean): string {
  const json = fixtureJson(model, 'tokenizer.json');
  const added = json.added_tokens as Array<{ content: string }>;
  return JSON.stringify({ ...json, added_tokens: added.filter((token) => !drop(token.content)) });
}

async function loadError(files: ModelFiles, config: ModelConfig): Promise<unknown> {
  return loadTokenizer(files, config).then(
    () => expect.unreachable('loadTokenizer should have rejected'),
    (error: unknown) => error,
  );
}

describe('loadTokenizer', () => {
  it('reads the fixtures as they are', async () => {
    const roberta = await loadTokenizer(modifiedFixture('tiny-roberta'), modelConfig('tiny-roberta'));
    expect([roberta.maskToken, roberta.maskTokenId, roberta.padTokenId, roberta.modelMaxLength]).toEqual(['<mask>', 50264, 1, 512]);
    const albert = await loadTokenizer(modifiedFixture('tiny-albert'), modelConfig('tiny-albert'));
    expect([albert.maskToken, albert.maskTokenId, albert.padTokenId, albert.modelMaxLength]).toEqual(['[MASK]', 4, 0, 512]);
  });

  it('accepts mask_token and pad_token given as AddedToken objects in tokenizer_config.json', async () => {
    const config = fixtureJson('tiny-roberta', 'tokenizer_config.json');
    const files = modifiedFixture('tiny-roberta', {
      'tokenizer_config.json': JSON.stringify({
        ...config,
        mask_token: {
          __type: 'AddedToken',
          content: '<mask>',
          lstrip: true,
          normalized: false,
          rstrip: false,
          single_word: false,
          special: true,
        },
        pad_token: {
          __type: 'AddedToken',
          content: '<pad>',
          lstrip: false,
          normalized: true,
          rstrip: false,
          single_word: false,
          special: true,
        },
      }),
    });
    // A config without pad_token_id, so the id must come from the pad_token object.
    const { pad_token_id: _ignored, ...configWithoutPad } = modelConfig('tiny-roberta');
    const tokenizer = await loadTokenizer(files, configWithoutPad);
    expect(tokenizer.maskToken).toBe('<mask>');
    expect(tokenizer.maskTokenId).toBe(50264);
    expect(tokenizer.padTokenId).toBe(1);
    expect(tokenizer.encode('is <mask>').ids).toEqual([0, 354, 50264, 2]);
  });

  it('uses the mask token the config names, even when another one exists', async () => {
    // albert-base-v2's vocabulary has no "<mask>"; name "[SEP]" as the mask to see the config win.
    const config = fixtureJson('tiny-albert', 'tokenizer_config.json');
    const files = modifiedFixture('tiny-albert', { 'tokenizer_config.json': JSON.stringify({ ...config, mask_token: '[SEP]' }) });
    const tokenizer = await loadTokenizer(files, modelConfig('tiny-albert'));
    expect([tokenizer.maskToken, tokenizer.maskTokenId]).toEqual(['[SEP]', 3]);
  });

  describe('without tokenizer_config.json', () => {
    it.each([
      ['tiny-bert-uncased', '[MASK]', 103, 0, 512],
      ['tiny-bert-cased-pt', '[MASK]', 103, 0, 512],
      ['tiny-roberta', '<mask>', 50264, 1, 512],
      ['tiny-albert', '[MASK]', 4, 0, 512],
    ] as const)('%s falls back to %s from the added tokens', async (model, maskToken, maskTokenId, padTokenId, maxLength) => {
      const tokenizer = await loadTokenizer(modifiedFixture(model, { 'tokenizer_config.json': null }), modelConfig(model));
      expect(tokenizer.maskToken).toBe(maskToken);
      expect(tokenizer.maskTokenId).toBe(maskTokenId);
      // The pad id comes from config.json's pad_token_id, the limit from max_position_embeddings.
      expect(tokenizer.padTokenId).toBe(padTokenId);
      expect(tokenizer.modelMaxLength).toBe(maxLength);
    });

    it('still applies the lstrip of <mask> written in tokenizer.json', async () => {
      const tokenizer = await loadTokenizer(
        modifiedFixture('tiny-roberta', { 'tokenizer_config.json': null }),
        modelConfig('tiny-roberta'),
      );
      expect(tokenizer.encode('is <mask>').ids).toEqual([0, 354, 50264, 2]);
      expect(tokenizer.encode('is<mask>').ids).toEqual([0, 354, 50264, 2]);
    });

    it('takes pad id 0 when config.json has no pad_token_id either', async () => {
      const { pad_token_id: _ignored, ...config } = modelConfig('tiny-roberta');
      const tokenizer = await loadTokenizer(modifiedFixture('tiny-roberta', { 'tokenizer_config.json': null }), config);
      expect(tokenizer.padTokenId).toBe(0);
    });
  });

  describe('a tokenizer without a mask token', () => {
    it('is an UnsupportedModelError that says so and names the model', async () => {
      const config = fixtureJson('tiny-bert-uncased', 'tokenizer_config.json');
      const { mask_token: _ignored, ...configWithoutMask } = config;
      const files = modifiedFixture('tiny-bert-uncased', {
        'tokenizer_config.json': JSON.stringify(configWithoutMask),
        'tokenizer.json': withoutAddedTokens('tiny-bert-uncased', (content) => content === '[MASK]'),
      });
      const error = await loadError(files, modelConfig('tiny-bert-uncased'));
      expect(UnsupportedModelError.isInstance(error)).toBe(true);
      expect(FillMaskError.isInstance(error)).toBe(true);
      expect((error as UnsupportedModelError).model).toBe('memory:tiny-bert-uncased');
      expect((error as Error).message).toBe(
        'Model memory:tiny-bert-uncased cannot be used for fill-mask: its tokenizer defines no mask token ' +
          '(tokenizer_config.json has no mask_token, and tokenizer.json no [MASK] or <mask>).',
      );
    });

    it('is the same error without tokenizer_config.json', async () => {
      const files = modifiedFixture('tiny-roberta', {
        'tokenizer_config.json': null,
        'tokenizer.json': withoutAddedTokens('tiny-roberta', (content) => content === '<mask>'),
      });
      const error = await loadError(files, modelConfig('tiny-roberta'));
      expect(UnsupportedModelError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/defines no mask token/);
    });

    it('is the same error when the configured mask token is not an added token', async () => {
      const config = fixtureJson('tiny-bert-uncased', 'tokenizer_config.json');
      const files = modifiedFixture('tiny-bert-uncased', { 'tokenizer_config.json': JSON.stringify({ ...config, mask_token: '[MSK]' }) });
      const error = await loadError(files, modelConfig('tiny-bert-uncased'));
      expect(UnsupportedModelError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/defines no mask token/);
    });
  });

  describe('unreadable files', () => {
    it('tokenizer.json that is not JSON is an UnsupportedModelError with the parse error as cause', async () => {
      const files = modifiedFixture('tiny-bert-uncased', { 'tokenizer.json': '{"version": "1.0", "model": ' });
      const error = await loadError(files, modelConfig('tiny-bert-uncased'));
      expect(UnsupportedModelError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        'Model memory:tiny-bert-uncased cannot be used for fill-mask: tokenizer.json is not valid JSON.',
      );
      expect((error as Error).cause).toBeInstanceOf(SyntaxError);
    });

    it('tokenizer.json that is JSON but not an object is an UnsupportedModelError', async () => {
      for (const content of ['[1, 2, 3]', 'null', '"tokenizer"']) {
        const error = await loadError(
          modifiedFixture('tiny-bert-uncased', { 'tokenizer.json': content }),
          modelConfig('tiny-bert-uncased'),
        );
        expect(UnsupportedModelError.isInstance(error), content).toBe(true);
        expect((error as Error).message, content).toMatch(/tokenizer\.json is not a JSON object\.$/);
      }
    });

    it('tokenizer_config.json that is not JSON is an UnsupportedModelError naming that file', async () => {
      const error = await loadError(
        modifiedFixture('tiny-roberta', { 'tokenizer_config.json': 'mask_token = "<mask>"' }),
        modelConfig('tiny-roberta'),
      );
      expect(UnsupportedModelError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/tokenizer_config\.json is not valid JSON\.$/);
    });

    it('a missing tokenizer.json with no slow tokenizer file either is an UnsupportedModelError naming the files looked for', async () => {
      const error = await loadError(modifiedFixture('tiny-albert', { 'tokenizer.json': null }), modelConfig('tiny-albert'));
      expect(UnsupportedModelError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        'Model memory:tiny-albert cannot be used for fill-mask: it has no tokenizer files: ' +
          'looked for tokenizer.json and, as its tokenizer_class AlbertTokenizer says, spiece.model.',
      );
    });
  });

  describe('without tokenizer.json: built from the slow tokenizer files', () => {
    it.each([
      ['wordpiece-uncased', {}, '[MASK]', 103, 0, [0, 100, 101, 102, 103]],
      ['wordpiece-cased-pt', {}, '[MASK]', 103, 0, [0, 100, 101, 102, 103]],
      ['byte-level-bpe', {}, '<mask>', 50264, 1, [0, 1, 2, 3, 50264]],
      ['sentencepiece-albert', {}, '[MASK]', 4, 0, [0, 1, 2, 3, 4]],
      ['sentencepiece-fairseq', {}, '<mask>', 1001, 1, [0, 1, 2, 3, 1001]],
      ['sentencepiece-fairseq', { 'config.json': { model_type: 'camembert' } }, '<mask>', 1004, 1, [1, 3, 5, 6, 1004]],
    ] as const)('%s %j: mask %s = %i, pad %i, specials %j', async (fixture, overrides, maskToken, maskTokenId, padTokenId, specials) => {
      const files = slowTokenizerFiles(fixture, overrides);
      // The fixtures' config.json has model_type only: the pad id comes from the tokenizer's conventions.
      const tokenizer = await loadTokenizer(files, await readJsonOrEmpty(files, 'config.json'));
      expect([tokenizer.maskToken, tokenizer.maskTokenId, tokenizer.padTokenId, tokenizer.modelMaxLength]).toEqual([
        maskToken,
        maskTokenId,
        padTokenId,
        512,
      ]);
      expect([...tokenizer.specialTokenIds].sort((a, b) => a - b)).toEqual(specials);
    });

    it('takes the mask token that special_tokens_map.json names', async () => {
      const files = slowTokenizerFiles('wordpiece-uncased', { 'special_tokens_map.json': { mask_token: '[unused0]' } });
      const tokenizer = await loadTokenizer(files, { model_type: 'bert' });
      expect([tokenizer.maskToken, tokenizer.maskTokenId]).toEqual(['[unused0]', 1]);
      expect(tokenizer.encode('a [unused0] b').ids).toEqual([101, 1037, 1, 1038, 102]);
    });

    it('splits astral CJK ideographs in a BERT tokenizer built from vocab.txt, as the Rust BertNormalizer does', async () => {
      const files = slowTokenizerFiles('wordpiece-uncased');
      const tokenizer = await loadTokenizer(files, { model_type: 'bert' });
      // 𠀋 is not in bert-base-uncased's vocabulary: split off, it is one [UNK] between "a" and "b".
      expect(tokenizer.encode('a𠀋b').ids).toEqual([101, 1037, 100, 1038, 102]);
      const withoutChineseSplitting = await loadTokenizer(
        slowTokenizerFiles('wordpiece-uncased', { 'tokenizer_config.json': { tokenize_chinese_chars: false } }),
        { model_type: 'bert' },
      );
      expect(withoutChineseSplitting.encode('a𠀋b').ids).toEqual([101, 100, 102]);
    });

    it('is an UnsupportedModelError listing every tokenizer file when neither the config nor the files say which', async () => {
      const error = await loadError(modifiedFixture('tiny-bert-uncased', { 'tokenizer.json': null, 'tokenizer_config.json': null }), {});
      expect(UnsupportedModelError.isInstance(error)).toBe(true);
      expect((error as Error).message).toBe(
        'Model memory:tiny-bert-uncased cannot be used for fill-mask: it has no tokenizer files: ' +
          'looked for tokenizer.json, vocab.txt, vocab.json + merges.txt, sentencepiece.bpe.model and spiece.model.',
      );
    });

    it('is an UnsupportedModelError for a tokenizer class or model type it cannot build', async () => {
      const byClass = await loadError(
        slowTokenizerFiles('wordpiece-uncased', { 'tokenizer_config.json': { tokenizer_class: 'MPNetTokenizer' } }),
        { model_type: 'bert' },
      );
      expect(UnsupportedModelError.isInstance(byClass)).toBe(true);
      expect((byClass as Error).message).toMatch(
        /its tokenizer_class MPNetTokenizer is not one whose slow tokenizer files fillmask converts: BERT \(vocab\.txt\), RoBERTa/,
      );
      const byType = await loadError(slowTokenizerFiles('sentencepiece-albert'), { model_type: 'deberta-v2' });
      expect((byType as Error).message).toMatch(/its model_type deberta-v2 is not one whose slow tokenizer files/);
    });

    it('a malformed slow file is an UnsupportedModelError naming it, with the reason as cause', async () => {
      const spiece = await loadError(slowTokenizerFiles('sentencepiece-albert', { 'spiece.model': 'not a protobuf' }), {
        model_type: 'albert',
      });
      expect(UnsupportedModelError.isInstance(spiece)).toBe(true);
      expect((spiece as Error).message).toMatch(
        /^Model memory:sentencepiece-albert cannot be used for fill-mask: its tokenizer cannot be built from spiece\.model: protobuf: /,
      );
      expect((spiece as Error).cause).toBeInstanceOf(RangeError);
      const merges = await loadError(slowTokenizerFiles('byte-level-bpe', { 'merges.txt': '#version: 0.2\nĠ t\nthree parts here\n' }), {
        model_type: 'roberta',
      });
      expect((merges as Error).message).toMatch(/vocab\.json \+ merges\.txt: merges\.txt line 3 is not two tokens/);
    });

    it('lets errors of the source itself through', async () => {
      const files = slowTokenizerFiles('wordpiece-uncased');
      const failure = new Error('network down');
      const failing: ModelFiles = { ...files, read: async (path) => (path === 'vocab.txt' ? Promise.reject(failure) : files.read(path)) };
      expect(await loadError(failing, { model_type: 'bert' })).toBe(failure);
    });
  });

  describe('model_max_length', () => {
    async function maxLength(
      model: FixtureModel,
      modelMaxLength: string | undefined,
      config: ModelConfig = modelConfig(model),
    ): Promise<number> {
      const text = readFileSync(join(fixtureModelPath(model), 'tokenizer_config.json'), 'utf8');
      const replaced =
        modelMaxLength === undefined
          ? text.replace(/\s*"model_max_length": 512,/, '')
          : text.replace('"model_max_length": 512', `"model_max_length": ${modelMaxLength}`);
      expect(replaced).not.toBe(text);
      const tokenizer = await loadTokenizer(modifiedFixture(model, { 'tokenizer_config.json': replaced }), config);
      return tokenizer.modelMaxLength;
    }

    it('the 1e30 sentinel falls back to max_position_embeddings: 514 − 2 = 512 for RoBERTa', async () => {
      expect(await maxLength('tiny-roberta', veryLargeInteger)).toBe(512);
      // The offset is pad_token_id + 1: position ids start after the padding id.
      expect(await maxLength('tiny-roberta', veryLargeInteger, { ...modelConfig('tiny-roberta'), max_position_embeddings: 130 })).toBe(128);
    });

    it('the 1e30 sentinel falls back to max_position_embeddings as is for BERT and ALBERT', async () => {
      expect(await maxLength('tiny-bert-uncased', veryLargeInteger)).toBe(512);
      expect(
        await maxLength('tiny-bert-uncased', veryLargeInteger, { ...modelConfig('tiny-bert-uncased'), max_position_embeddings: 256 }),
      ).toBe(256);
      expect(await maxLength('tiny-albert', veryLargeInteger)).toBe(512);
    });

    it('a missing model_max_length falls back the same way', async () => {
      expect(await maxLength('tiny-roberta', undefined)).toBe(512);
      expect(await maxLength('tiny-bert-cased-pt', undefined)).toBe(512);
    });

    it('a real model_max_length is used, capped by the position embeddings', async () => {
      expect(await maxLength('tiny-bert-uncased', '128')).toBe(128);
      expect(await maxLength('tiny-roberta', '256')).toBe(256);
      expect(await maxLength('tiny-bert-uncased', '1024')).toBe(512);
      expect(await maxLength('tiny-roberta', '514')).toBe(512);
    });

    it('is 512 when neither the tokenizer nor the model says', async () => {
      const { max_position_embeddings: _ignored, ...config } = modelConfig('tiny-bert-uncased');
      expect(await maxLength('tiny-bert-uncased', veryLargeInteger, config)).toBe(512);
    });
  });
});
