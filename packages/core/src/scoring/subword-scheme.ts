import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';

/**
 * How a tokenizer's vocabulary marks where words begin, read from its tokens:
 * - `wordpiece` (BERT): a piece that continues a word starts with `##`;
 * - `byte-level-bpe` (RoBERTa, GPT-2): a piece that begins a word after a space starts with `Ġ`;
 * - `sentencepiece` (ALBERT, XLM-R, DeBERTa-v3): a piece that begins a word starts with `▁`.
 */
export type SubwordScheme = 'wordpiece' | 'byte-level-bpe' | 'sentencepiece';

/**
 * Tells the scheme by tokenizing `a a`: the second `a` comes out as `Ġa` with byte-level BPE, `▁a`
 * with SentencePiece and `a` with WordPiece. Asking the tokenizer works for any tokenizer plugged in,
 * where reading tokenizer.json would not.
 */
export function detectSubwordScheme(tokenizer: FillMaskTokenizer): SubwordScheme {
  const ids = tokenizer.encode('a a', { addSpecialTokens: false }).ids;
  const second = tokenizer.idToToken(ids[ids.length - 1]) ?? '';
  if (second.startsWith('Ġ')) return 'byte-level-bpe';
  if (second.startsWith('▁')) return 'sentencepiece';
  return 'wordpiece';
}
