import type { FillMaskTokenizer } from '@fillmask/core';
import { shuffled } from './seeded-random.js';

/** A sentence with one word masked, and the token the model should put back. */
export interface ClozeItem {
  readonly text: string;
  readonly maskedText: string;
  readonly word: string;
  /** The word's vocabulary id, the single token the mask replaced. */
  readonly targetId: number;
  /**
   * Which of `maskedText`'s masks is the word's, in order: a sentence may hold masks of its own,
   * which stay masks (the fill answers one list per mask, this one's at this index).
   */
  readonly maskIndex: number;
}

/**
 * Masks one word of `text`, drawn with `random` among the words that are a single token in context.
 * A word is a run of non-space characters with its leading and trailing punctuation removed, holding
 * at least one letter. It is eligible when masking its characters changes exactly one token of the
 * encoded text into the mask token: then one prediction can be compared with it exactly, in any
 * tokenizer. Words the tokenizer splits into pieces are never asked for (the fill-mask answer is one
 * token), nor a mask token already in the text; a sentence without an eligible word gives undefined.
 */
export function clozeItem(text: string, tokenizer: FillMaskTokenizer, random: () => number): ClozeItem | undefined {
  const original = tokenizer.encode(text).ids;
  const words = [...text.matchAll(/\S+/gu)].flatMap((match) => {
    if (match[0].includes(tokenizer.maskToken)) return [];
    const core = /^[\p{P}\p{S}]*(.*?)[\p{P}\p{S}]*$/u.exec(match[0])!;
    const word = core[1];
    if (!/\p{L}/u.test(word)) return [];
    const start = match.index + match[0].indexOf(word);
    return [{ word, start, end: start + word.length }];
  });
  for (const candidate of shuffled(words, random)) {
    const maskedText = `${text.slice(0, candidate.start)}${tokenizer.maskToken}${text.slice(candidate.end)}`;
    const masked = tokenizer.encode(maskedText).ids;
    if (masked.length !== original.length) continue;
    const changed = masked.flatMap((id, position) => (id === original[position] ? [] : [position]));
    if (changed.length === 1 && masked[changed[0]] === tokenizer.maskTokenId) {
      const maskIndex = masked.slice(0, changed[0]).filter((id) => id === tokenizer.maskTokenId).length;
      return { text, maskedText, word: candidate.word, targetId: original[changed[0]], maskIndex };
    }
  }
  return undefined;
}
