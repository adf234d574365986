import { addedTokenId, addTokens } from './add-tokens.js';
import type { SlowTokenizerSettings } from './slow-tokenizer-settings.js';
import { resolveNamedTokens, tokensToAdd, type SpecialTokenConventions } from './special-tokens.js';
import { booleanOption, templateProcessing, tokenizerJson, type TokenizerJson } from './tokenizer-json-parts.js';

export const bertConventions: SpecialTokenConventions = {
  defaults: { unk_token: '[UNK]', sep_token: '[SEP]', pad_token: '[PAD]', cls_token: '[CLS]', mask_token: '[MASK]' },
  maskLstrip: false,
};

/**
 * tokenizer.json of a BERT WordPiece vocabulary, as transformers 5's BertTokenizer builds it from
 * vocab.txt (the same as transformers 4's BertConverter): BertNormalizer (lowercase from
 * `do_lower_case`, default true; `strip_accents` follows the lowercasing unless set;
 * `tokenize_chinese_chars` default true), BertPreTokenizer, WordPiece with "##" and 100 characters
 * per word at most, `[CLS] $A [SEP]`, WordPiece decoder. `never_split` has no equivalent in the fast
 * tokenizer, in Python either.
 */
export function bertTokenizerJson(vocab: ReadonlyMap<string, number>, settings: SlowTokenizerSettings): TokenizerJson {
  const named = resolveNamedTokens(settings, bertConventions);
  const addedTokens = addTokens({ idOf: (token) => vocab.get(token), size: vocab.size }, tokensToAdd(settings, named));
  const cls = named.get('cls_token')!.content;
  const sep = named.get('sep_token')!.content;
  const stripAccents = settings.options.strip_accents;
  return tokenizerJson({
    addedTokens,
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: booleanOption(settings.options, 'tokenize_chinese_chars', true),
      strip_accents: typeof stripAccents === 'boolean' ? stripAccents : null,
      lowercase: booleanOption(settings.options, 'do_lower_case', true),
    },
    preTokenizer: { type: 'BertPreTokenizer' },
    postProcessor: templateProcessing(
      [
        { special: cls, typeId: 0 },
        { sequence: 'A', typeId: 0 },
        { special: sep, typeId: 0 },
      ],
      [
        { special: cls, typeId: 0 },
        { sequence: 'A', typeId: 0 },
        { special: sep, typeId: 0 },
        { sequence: 'B', typeId: 1 },
        { special: sep, typeId: 1 },
      ],
      // BertTokenizer falls back to 2 and 3 when the tokens have no id; adding them always gives one.
      [
        [cls, addedTokenId(addedTokens, cls) ?? 2],
        [sep, addedTokenId(addedTokens, sep) ?? 3],
      ],
    ),
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: {
      type: 'WordPiece',
      unk_token: named.get('unk_token')!.content,
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab),
    },
  });
}
