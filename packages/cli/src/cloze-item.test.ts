import { describe, expect, it } from 'vitest';
import { fixtureModelPath, fixtureModels, type FixtureModel } from '@fillmask/fixtures';
import { clozeItem } from './cloze-item.js';
import { folderTokenizer } from './commands/score-oracle.test-helper.js';
import { seededRandom } from './seeded-random.js';

const sentence = 'The unbelievable tokenization works, really!';

/** The words of `sentence` that each tokenizer keeps whole (read from its tokens, written out here). */
const singleTokenWords: Record<FixtureModel, string[]> = {
  'tiny-bert-uncased': ['The', 'unbelievable', 'works', 'really'], // the unbelievable token ##ization works , really !
  'tiny-roberta': ['The', 'unbelievable', 'works', 'really'], // The Ġunbelievable Ġtoken ization Ġworks , Ġreally !
  'tiny-bert-cased-pt': ['The'], // The un ##bel ##iev ##ab ##le to ##ken ##iza ##tion w ##orks , real ##ly !
  // ▁the ▁un be liev able ▁to ken ization ▁works , ▁really ! — but "[MASK]," encodes as [MASK] ▁ , (the
  // text after an added token gets its own ▁), so a word before punctuation changes two tokens.
  'tiny-albert': ['The'],
};

describe('clozeItem', () => {
  for (const model of fixtureModels) {
    it(`${model}: draws every single-token word over many seeds, and no other`, async () => {
      const tokenizer = await folderTokenizer(fixtureModelPath(model));
      const drawn = new Set<string>();
      for (let seed = 0; seed < 60; seed++) {
        const item = clozeItem(sentence, tokenizer, seededRandom(seed));
        expect(item).toBeDefined();
        expect(item!.maskedText).toBe(sentence.replace(item!.word, tokenizer.maskToken));
        const ids = tokenizer.encode(sentence).ids;
        const masked = tokenizer.encode(item!.maskedText).ids;
        expect(masked.length).toBe(ids.length);
        expect(masked.filter((id, position) => id !== ids[position])).toEqual([tokenizer.maskTokenId]);
        expect(ids[masked.indexOf(tokenizer.maskTokenId)]).toBe(item!.targetId);
        drawn.add(item!.word);
      }
      expect([...drawn].sort()).toEqual([...singleTokenWords[model]].sort());
      // "tokenization" is several pieces in every one of these tokenizers.
      expect(drawn.has('tokenization')).toBe(false);
    });
  }

  it('keeps a mask already in the sentence, never draws it, and says which mask is the word', async () => {
    for (const model of ['tiny-bert-uncased', 'tiny-roberta'] as const) {
      const tokenizer = await folderTokenizer(fixtureModelPath(model));
      const text = `The ${tokenizer.maskToken} opened the door and walked in.`;
      for (let seed = 0; seed < 20; seed++) {
        const item = clozeItem(text, tokenizer, seededRandom(seed))!;
        expect(item.word).not.toMatch(/mask/i);
        const masks = item.maskedText.split(tokenizer.maskToken).length - 1;
        expect(masks).toBe(2);
        const wordFirst = item.maskedText.indexOf(tokenizer.maskToken) < text.indexOf(tokenizer.maskToken);
        expect(item.maskIndex).toBe(wordFirst ? 0 : 1);
      }
    }
  });

  it('gives undefined when no word is a single token', async () => {
    const tokenizer = await folderTokenizer(fixtureModelPath('tiny-bert-uncased'));
    expect(clozeItem('Tokenization!', tokenizer, seededRandom(0))).toBeUndefined();
    expect(clozeItem('42 ... 17', tokenizer, seededRandom(0))).toBeUndefined();
  });
});
