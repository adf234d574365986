import { describe, expect, it } from 'vitest';
import { fixtureModelPath, type FixtureModel } from '@fillmask/fixtures';
import { openModel } from '#platform/open-model';
import { loadModelConfig } from '../model/model-config.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { detectSubwordScheme, type SubwordScheme } from './subword-scheme.js';
import { wordIds } from './word-ids.js';

async function tokenizerOf(model: FixtureModel) {
  const files = await openModel(fixtureModelPath(model));
  return loadTokenizer(files, await loadModelConfig(files));
}

describe('detectSubwordScheme and wordIds', () => {
  it.each([
    [
      'tiny-bert-uncased',
      'wordpiece',
      'Hello [MASK] tokenization',
      ['[CLS]', 'hello', '[MASK]', 'token', '##ization', '[SEP]'],
      [-1, 0, -1, 1, 1, -1],
    ],
    ['tiny-bert-cased-pt', 'wordpiece', 'Hello world', ['[CLS]', 'Hell', '##o', 'w', '##orld', '[SEP]'], [-1, 0, 0, 1, 1, -1]],
    // The first token of the text has no Ġ and still begins a word; so does the token after <mask>.
    [
      'tiny-roberta',
      'byte-level-bpe',
      'Hello<mask>ization works!',
      ['<s>', 'Hello', '<mask>', 'ization', 'Ġworks', '!', '</s>'],
      [-1, 0, -1, 1, 2, 2, -1],
    ],
    [
      'tiny-albert',
      'sentencepiece',
      'Hello tokenization!',
      ['[CLS]', '▁hello', '▁to', 'ken', 'ization', '!', '[SEP]'],
      [-1, 0, 1, 1, 1, 1, -1],
    ],
  ] as const)('%s: %s', async (model, scheme, text, tokens, words) => {
    const tokenizer = await tokenizerOf(model);
    expect(detectSubwordScheme(tokenizer)).toBe(scheme satisfies SubwordScheme);
    const ids = tokenizer.encode(text).ids;
    expect(ids.map((id) => tokenizer.idToToken(id))).toEqual(tokens);
    expect(wordIds(ids, tokenizer, scheme)).toEqual(words);
  });
});
