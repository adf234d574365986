import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import { InputTooLongError } from '../errors/input-too-long-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/** One text, tokenized and framed, with the positions whose tokens are scored. */
export interface ScoredText {
  readonly ids: readonly number[];
  readonly tokenTypeIds: readonly number[];
  /** Every position holding a token that is not special, ascending. */
  readonly scoredPositions: readonly number[];
}

export interface EncodeScoredTextOptions {
  readonly truncation: boolean;
  /** Position in the caller's array, for messages; undefined for a single text. */
  readonly inputIndex?: number;
}

export function encodeScoredText(text: unknown, tokenizer: FillMaskTokenizer, options: EncodeScoredTextOptions): ScoredText {
  const argument = options.inputIndex === undefined ? 'text' : `texts[${options.inputIndex}]`;
  if (typeof text !== 'string') {
    throw new InvalidArgumentError({ argument, value: text, expected: 'a string' });
  }
  let encoded = tokenizer.encode(text);
  const limit = tokenizer.modelMaxLength;
  if (encoded.ids.length > limit) {
    if (!options.truncation) {
      throw new InputTooLongError({
        length: encoded.ids.length,
        limit,
        inputIndex: options.inputIndex,
        advice: `Shorten it, or pass { truncation: true } to score only its first ${limit} tokens.`,
      });
    }
    encoded = keepFirstWindow(text, encoded, tokenizer);
  }
  const scoredPositions: number[] = [];
  for (const [position, id] of encoded.ids.entries()) if (!tokenizer.specialTokenIds.has(id)) scoredPositions.push(position);
  if (scoredPositions.length === 0) {
    throw new InvalidArgumentError({
      argument,
      value: text,
      expected: 'a text with at least one token to score (special tokens such as [CLS], [MASK] or [UNK] are not scored)',
    });
  }
  return { ids: encoded.ids, tokenTypeIds: encoded.tokenTypeIds, scoredPositions };
}

/**
 * Keeps the special-token framing and the first tokens of the text, as many as the model allows. The
 * framing is found by locating the unframed encoding inside the framed one.
 */
function keepFirstWindow(
  text: string,
  framed: { ids: readonly number[]; tokenTypeIds: readonly number[] },
  tokenizer: FillMaskTokenizer,
): { ids: number[]; tokenTypeIds: number[] } {
  const body = tokenizer.encode(text, { addSpecialTokens: false }).ids;
  const prefixLength = findSlice(framed.ids, body);
  const window = tokenizer.modelMaxLength - (framed.ids.length - body.length);
  if (prefixLength < 0 || window < 1) {
    throw new InputTooLongError({
      length: framed.ids.length,
      limit: tokenizer.modelMaxLength,
      advice: 'Its special-token framing could not be separated from its text to truncate it: shorten it.',
    });
  }
  const keep = (values: readonly number[]) => [...values.slice(0, prefixLength + window), ...values.slice(prefixLength + body.length)];
  return { ids: keep(framed.ids), tokenTypeIds: keep(framed.tokenTypeIds) };
}

function findSlice(haystack: readonly number[], needle: readonly number[]): number {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((value, offset) => haystack[start + offset] === value)) return start;
  }
  return -1;
}
