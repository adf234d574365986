import { addedTokenId, addTokens } from './add-tokens.js';
import type { SlowTokenizerSettings } from './slow-tokenizer-settings.js';
import { resolveNamedTokens, tokensToAdd, type SpecialTokenConventions } from './special-tokens.js';
import { booleanOption, tokenizerJson, type TokenizerJson } from './tokenizer-json-parts.js';

export const robertaConventions: SpecialTokenConventions = {
  defaults: {
    bos_token: '<s>',
    eos_token: '</s>',
    unk_token: '<unk>',
    sep_token: '</s>',
    pad_token: '<pad>',
    cls_token: '<s>',
    mask_token: '<mask>',
  },
  maskLstrip: true,
};

/**
 * tokenizer.json of a byte-level BPE (vocab.json + merges.txt), as transformers' RobertaTokenizer
 * builds it: ByteLevel pre-tokenizer with `add_prefix_space` (default false), BPE without unknown
 * token, `<s> $A </s>` (RobertaProcessing), ByteLevel decoder; `<mask>` with lstrip.
 */
export function robertaTokenizerJson(
  vocab: ReadonlyMap<string, number>,
  merges: ReadonlyArray<readonly [string, string]>,
  settings: SlowTokenizerSettings,
): TokenizerJson {
  const named = resolveNamedTokens(settings, robertaConventions);
  const addedTokens = addTokens({ idOf: (token) => vocab.get(token), size: vocab.size }, tokensToAdd(settings, named));
  const addPrefixSpace = booleanOption(settings.options, 'add_prefix_space', false);
  const trimOffsets = booleanOption(settings.options, 'trim_offsets', true);
  const cls = named.get('cls_token')!.content;
  const sep = named.get('sep_token')!.content;
  return tokenizerJson({
    addedTokens,
    normalizer: null,
    preTokenizer: { type: 'ByteLevel', add_prefix_space: addPrefixSpace, trim_offsets: true, use_regex: true },
    postProcessor: {
      type: 'RobertaProcessing',
      sep: [sep, addedTokenId(addedTokens, sep)],
      cls: [cls, addedTokenId(addedTokens, cls)],
      trim_offsets: trimOffsets,
      add_prefix_space: addPrefixSpace,
    },
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE',
      dropout: null,
      unk_token: null,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: false,
      vocab: Object.fromEntries([...vocab].sort(([, a], [, b]) => a - b)),
      merges: merges.map(([left, right]) => [left, right]),
    },
  });
}
