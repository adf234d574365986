import { plainAddedToken, type AddedTokenSpec } from './added-token.js';
import { toBase64 } from './base64.js';
import { SentencePieceType, type SentencePieceModel } from './sentencepiece-model.js';
import type { TokenizerJson } from './tokenizer-json-parts.js';

/**
 * The pieces every model's text is matched against whole, as transformers' SentencePieceExtractor
 * lists them: CONTROL pieces (special) and USER_DEFINED ones (not special), in id order, matched in
 * the raw text.
 */
export function sentencePieceAddedTokens(model: SentencePieceModel): AddedTokenSpec[] {
  return model.pieces
    .filter((piece) => piece.type === SentencePieceType.Control || piece.type === SentencePieceType.UserDefined)
    .map((piece) => ({ ...plainAddedToken(piece.piece, piece.type === SentencePieceType.Control), normalized: false }));
}

/**
 * The model's own normalisation rules, as a Precompiled normaliser; null when it has none (rule set
 * `identity`). transformers 5 fails on such a model ("Cannot parse precompiled_charsmap"); without the
 * normaliser the text is left as is, which is what `identity` means.
 */
export function precompiledNormalizer(model: SentencePieceModel): TokenizerJson | null {
  const charsmap = model.normalizerSpec.precompiledCharsmap;
  return charsmap.length === 0 ? null : { type: 'Precompiled', precompiled_charsmap: toBase64(charsmap) };
}

/** Unigram model of tokenizer.json: [piece, score] pairs in id order. */
export function unigramModel(vocab: ReadonlyArray<readonly [string, number]>, unkId: number): TokenizerJson {
  return { type: 'Unigram', unk_id: unkId, vocab: vocab.map(([piece, score]) => [piece, score]), byte_fallback: false };
}

/** Id lookup over a Unigram vocabulary; a piece listed twice has its last id, as in `tokenizers`. */
export function unigramIds(vocab: ReadonlyArray<readonly [string, number]>): Map<string, number> {
  return new Map(vocab.map(([piece], id) => [piece, id]));
}
