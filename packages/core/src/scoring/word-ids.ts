import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { SubwordScheme } from './subword-scheme.js';

/**
 * The word each token belongs to, as an index counting from 0, or -1 for a special token. A token
 * begins a new word when its scheme's marker says so (see SubwordScheme), when it follows a special
 * token, or when it is the first token of the text. Punctuation follows the same rule: with byte-level
 * BPE and SentencePiece the `,` of `works,` continues `works` (it has no start marker); with
 * WordPiece it is a word of its own (it has no `##`).
 */
export function wordIds(ids: readonly number[], tokenizer: FillMaskTokenizer, scheme: SubwordScheme): number[] {
  const words: number[] = [];
  let word = -1;
  let afterSpecial = true;
  for (const id of ids) {
    if (tokenizer.specialTokenIds.has(id)) {
      words.push(-1);
      afterSpecial = true;
      continue;
    }
    if (afterSpecial || beginsWord(tokenizer.idToToken(id) ?? '', scheme)) word++;
    words.push(word);
    afterSpecial = false;
  }
  return words;
}

function beginsWord(token: string, scheme: SubwordScheme): boolean {
  switch (scheme) {
    case 'wordpiece':
      return !token.startsWith('##');
    case 'byte-level-bpe':
      return token.startsWith('Ġ');
    case 'sentencepiece':
      return token.startsWith('▁');
  }
}
