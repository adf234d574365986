import { addTokens } from './add-tokens.js';
import type { SentencePieceModel } from './sentencepiece-model.js';
import { precompiledNormalizer, sentencePieceAddedTokens, unigramIds, unigramModel } from './sentencepiece-parts.js';
import type { SlowTokenizerSettings } from './slow-tokenizer-settings.js';
import { resolveNamedTokens, tokensToAdd, type SpecialTokenConventions } from './special-tokens.js';
import {
  booleanOption,
  metaspaceDecoder,
  metaspacePreTokenizer,
  templateProcessing,
  tokenizerJson,
  type TokenizerJson,
} from './tokenizer-json-parts.js';

export const albertConventions: SpecialTokenConventions = {
  defaults: {
    bos_token: '[CLS]',
    eos_token: '[SEP]',
    unk_token: '<unk>',
    sep_token: '[SEP]',
    pad_token: '<pad>',
    cls_token: '[CLS]',
    mask_token: '[MASK]',
  },
  maskLstrip: true,
};

/**
 * tokenizer.json of an ALBERT SentencePiece model (spiece.model), as transformers 5's AlbertTokenizer
 * builds it: the pieces as a Unigram model with `<unk>` at id 1; `` and '' read as ", then (unless
 * `keep_accents`) NFKD and accents stripped, lowercase (`do_lower_case`, default true), the model's
 * own normalisation; split on white space, "▁" before each word; `[CLS] $A [SEP]`. A model without
 * the cls and sep pieces throws a RangeError.
 */
export function albertTokenizerJson(model: SentencePieceModel, settings: SlowTokenizerSettings): TokenizerJson {
  const vocab = model.pieces.map((piece) => [piece.piece, piece.score] as const);
  const ids = unigramIds(vocab);
  const named = resolveNamedTokens(settings, albertConventions);
  const addedTokens = addTokens(
    { idOf: (token) => ids.get(token), size: vocab.length },
    tokensToAdd(settings, named, sentencePieceAddedTokens(model)),
  );
  // AlbertTokenizer names the template's tokens "[CLS]" and "[SEP]" whatever its cls and sep tokens,
  // with the ids of those in the pieces.
  const pieceId = (name: 'cls_token' | 'sep_token') => {
    const content = named.get(name)!.content;
    const id = ids.get(content);
    if (id === undefined)
      throw new RangeError(`the SentencePiece model has no piece ${JSON.stringify(content)} for the [CLS] ... [SEP] framing`);
    return id;
  };
  const addPrefixSpace = booleanOption(settings.options, 'add_prefix_space', true);
  const keepAccents = booleanOption(settings.options, 'keep_accents', false);
  const lowercase = booleanOption(settings.options, 'do_lower_case', true);
  const precompiled = precompiledNormalizer(model);
  return tokenizerJson({
    addedTokens,
    normalizer: {
      type: 'Sequence',
      normalizers: [
        { type: 'Replace', pattern: { String: '``' }, content: '"' },
        { type: 'Replace', pattern: { String: "''" }, content: '"' },
        ...(keepAccents ? [] : [{ type: 'NFKD' }, { type: 'StripAccents' }]),
        ...(lowercase ? [{ type: 'Lowercase' }] : []),
        ...(precompiled ? [precompiled] : []),
      ],
    },
    preTokenizer: metaspacePreTokenizer(addPrefixSpace),
    postProcessor: templateProcessing(
      [
        { special: '[CLS]', typeId: 0 },
        { sequence: 'A', typeId: 0 },
        { special: '[SEP]', typeId: 0 },
      ],
      [
        { special: '[CLS]', typeId: 0 },
        { sequence: 'A', typeId: 0 },
        { special: '[SEP]', typeId: 0 },
        { sequence: 'B', typeId: 1 },
        { special: '[SEP]', typeId: 1 },
      ],
      [
        ['[CLS]', pieceId('cls_token')],
        ['[SEP]', pieceId('sep_token')],
      ],
    ),
    decoder: metaspaceDecoder(addPrefixSpace),
    model: unigramModel(vocab, 1),
  });
}
