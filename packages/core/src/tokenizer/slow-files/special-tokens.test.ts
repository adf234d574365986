import { describe, expect, it } from 'vitest';
import { plainAddedToken } from './added-token.js';
import { readSlowTokenizerSettings } from './slow-tokenizer-settings.js';
import { resolveNamedTokens, tokensToAdd, type SpecialTokenConventions } from './special-tokens.js';

const roberta: SpecialTokenConventions = { defaults: { cls_token: '<s>', pad_token: '<pad>', mask_token: '<mask>' }, maskLstrip: true };
const bert: SpecialTokenConventions = { defaults: { cls_token: '[CLS]', mask_token: '[MASK]' }, maskLstrip: false };

describe('readSlowTokenizerSettings and resolveNamedTokens', () => {
  it('fill in the class defaults, special and matched in the raw text', () => {
    const named = resolveNamedTokens(readSlowTokenizerSettings({}, undefined), bert);
    expect([...named.keys()]).toEqual(['cls_token', 'mask_token']);
    expect(named.get('mask_token')).toEqual(plainAddedToken('[MASK]', true));
  });

  it('give a mask named by a plain string lstrip where the class declared it so, and keep explicit flags', () => {
    expect(resolveNamedTokens(readSlowTokenizerSettings({ mask_token: '<mask>' }, undefined), roberta).get('mask_token')?.lstrip).toBe(
      true,
    );
    expect(resolveNamedTokens(readSlowTokenizerSettings({}, undefined), roberta).get('mask_token')?.lstrip).toBe(true);
    const explicit = readSlowTokenizerSettings({}, { mask_token: { content: '<mask>', lstrip: false, normalized: true } });
    expect(resolveNamedTokens(explicit, roberta).get('mask_token')).toEqual({ ...plainAddedToken('<mask>', true), normalized: true });
  });

  it('let special_tokens_map.json replace tokenizer_config.json, unless the config has added_tokens_decoder', () => {
    const map = { mask_token: '[MSK]', cls_token: { content: '[C]', lstrip: true } };
    const merged = resolveNamedTokens(readSlowTokenizerSettings({ mask_token: '[MASK]' }, map), bert);
    expect([merged.get('mask_token')?.content, merged.get('cls_token')]).toEqual([
      '[MSK]',
      { ...plainAddedToken('[C]', true), lstrip: true },
    ]);

    const decoder = { '103': { content: '[MASK]', lstrip: true, normalized: false, rstrip: false, single_word: false, special: true } };
    const saved = readSlowTokenizerSettings({ mask_token: '[MASK]', added_tokens_decoder: decoder }, map);
    const named = resolveNamedTokens(saved, bert);
    // The map is not read; the named mask takes the decoder's flags.
    expect([named.get('mask_token')?.content, named.get('mask_token')?.lstrip, named.get('cls_token')?.content]).toEqual([
      '[MASK]',
      true,
      '[CLS]',
    ]);
    expect(saved.addedTokensDecoder).toEqual([[103, decoder['103']]]);
  });

  it('read {"__type": "AddedToken"} objects and extra special tokens from lists or objects', () => {
    const settings = readSlowTokenizerSettings(
      {
        mask_token: { __type: 'AddedToken', content: '<m>', rstrip: true, special: true },
        additional_special_tokens: ['<x>', { content: '<y>' }],
      },
      undefined,
    );
    expect(resolveNamedTokens(settings, roberta).get('mask_token')).toEqual({ ...plainAddedToken('<m>', true), rstrip: true });
    expect(settings.extraSpecialTokens?.map((token) => token.content)).toEqual(['<x>', '<y>']);
    expect(readSlowTokenizerSettings({ extra_special_tokens: { image_token: '<img>' } }, undefined).extraSpecialTokens?.[0].content).toBe(
      '<img>',
    );
  });
});

describe('tokensToAdd', () => {
  it('lists added_tokens_decoder, then the named tokens, then the extras, a named token always special', () => {
    const settings = readSlowTokenizerSettings({ added_tokens_decoder: { '5': { content: '[MASK]', special: false } } }, undefined);
    const named = resolveNamedTokens(settings, bert);
    const tokens = tokensToAdd(settings, named, [plainAddedToken('<extra>', false)]);
    expect(tokens.map(({ content, special }) => [content, special])).toEqual([
      ['[MASK]', true],
      ['[CLS]', true],
      ['[MASK]', true],
      ['<extra>', false],
    ]);
  });
});
