import { addedTokenId, addTokens } from './add-tokens.js';
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

/** The two fairseq models whose SentencePiece ids are shifted to make room for fairseq's own specials. */
export type FairseqSentencePieceFamily = 'xlm-roberta' | 'camembert';

export const fairseqConventions: SpecialTokenConventions = {
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
 * tokenizer.json of XLM-RoBERTa's or CamemBERT's `sentencepiece.bpe.model`, as transformers 5 builds
 * them (XLMRobertaConverter / CamembertConverter `convert_from_spm`). fairseq put its dictionary's
 * specials first, so the ids are the SentencePiece ids shifted:
 * - XLM-R: `<s> <pad> </s> <unk>` at 0-3, the pieces from id 3 on after them (piece n at n + 1), `<mask>` last;
 * - CamemBERT: `<s>NOTUSED <pad> </s>NOTUSED <unk> <unk>NOTUSED` at 0-4, the pieces from id 1 on
 *   after them (piece n at n + 4, so the model's `<s>` and `</s>` are 5 and 6), `<mask>` last.
 * Then the model's own normalisation; split on white space, "▁" before each word; `<s> $A </s>`.
 */
export function fairseqSentencePieceTokenizerJson(
  family: FairseqSentencePieceFamily,
  model: SentencePieceModel,
  settings: SlowTokenizerSettings,
): TokenizerJson {
  const named = resolveNamedTokens(settings, fairseqConventions);
  const content = (name: 'bos_token' | 'eos_token' | 'pad_token' | 'unk_token' | 'mask_token') => named.get(name)!.content;
  const pieces = model.pieces.map((piece) => [piece.piece, piece.score] as const);
  const vocab: Array<readonly [string, number]> =
    family === 'xlm-roberta'
      ? [[content('bos_token'), 0], [content('pad_token'), 0], [content('eos_token'), 0], [content('unk_token'), 0], ...pieces.slice(3)]
      : [
          ['<s>NOTUSED', 0],
          [content('pad_token'), 0],
          ['</s>NOTUSED', 0],
          [content('unk_token'), 0],
          ['<unk>NOTUSED', -100],
          ...pieces.slice(1),
        ];
  vocab.push([content('mask_token'), 0]);
  // XLMRobertaTokenizer fixes the unknown id at 3; CamembertTokenizer looks the unknown token up (also 3).
  const unkId =
    family === 'xlm-roberta'
      ? 3
      : Math.max(
          0,
          vocab.findIndex(([piece]) => piece === content('unk_token')),
        );
  const ids = unigramIds(vocab);
  const addedTokens = addTokens(
    { idOf: (token) => ids.get(token), size: vocab.length },
    tokensToAdd(settings, named, sentencePieceAddedTokens(model)),
  );
  const addPrefixSpace = booleanOption(settings.options, 'add_prefix_space', true);
  const bos = content('bos_token');
  const eos = content('eos_token');
  const special = (name: string) => ({ special: name, typeId: 0 });
  return tokenizerJson({
    addedTokens,
    normalizer: precompiledNormalizer(model),
    preTokenizer: metaspacePreTokenizer(addPrefixSpace),
    postProcessor: templateProcessing(
      [special(bos), { sequence: 'A', typeId: 0 }, special(eos)],
      [special(bos), { sequence: 'A', typeId: 0 }, special(eos), special(eos), { sequence: 'B', typeId: 0 }, special(eos)],
      [
        [bos, addedTokenId(addedTokens, bos) ?? ids.get(bos)!],
        [eos, addedTokenId(addedTokens, eos) ?? ids.get(eos)!],
      ],
    ),
    decoder: metaspaceDecoder(addPrefixSpace),
    model: unigramModel(vocab, unkId),
  });
}
