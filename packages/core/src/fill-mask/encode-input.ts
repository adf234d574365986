import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import { InputTooLongError } from '../errors/input-too-long-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { MissingMaskError } from '../errors/missing-mask-error.js';

/** One input, tokenized and framed, ready to be batched. */
export interface EncodedInput {
  readonly ids: readonly number[];
  readonly tokenTypeIds: readonly number[];
  /** Positions of the mask tokens in `ids`, in order. */
  readonly maskPositions: readonly number[];
}

export interface EncodeInputOptions {
  readonly truncation: boolean;
  /** Position in the caller's array, for messages; undefined for a single input. */
  readonly inputIndex?: number;
}

export function encodeInput(text: unknown, tokenizer: FillMaskTokenizer, options: EncodeInputOptions): EncodedInput {
  if (typeof text !== 'string') {
    const argument = options.inputIndex === undefined ? 'input' : `inputs[${options.inputIndex}]`;
    throw new InvalidArgumentError({ argument, value: text, expected: 'a string with a mask token' });
  }
  const encoded = tokenizer.encode(text);
  const maskPositions = positionsOf(encoded.ids, tokenizer.maskTokenId);
  if (maskPositions.length === 0) {
    throw new MissingMaskError({ maskToken: tokenizer.maskToken, inputIndex: options.inputIndex });
  }
  const limit = tokenizer.modelMaxLength;
  if (encoded.ids.length <= limit) return { ...encoded, maskPositions };
  if (!options.truncation) {
    throw new InputTooLongError({ length: encoded.ids.length, limit, inputIndex: options.inputIndex });
  }
  return truncateAroundMasks(text, encoded, tokenizer, options.inputIndex);
}

function positionsOf(ids: readonly number[], id: number): number[] {
  const positions: number[] = [];
  for (const [position, value] of ids.entries()) if (value === id) positions.push(position);
  return positions;
}

/**
 * Keeps the special-token framing and a window of the text's tokens, as long as the model allows,
 * centred on the masks. The framing is found by locating the unframed encoding inside the framed one.
 */
function truncateAroundMasks(
  text: string,
  framed: { ids: readonly number[]; tokenTypeIds: readonly number[] },
  tokenizer: FillMaskTokenizer,
  inputIndex: number | undefined,
): EncodedInput {
  const body = tokenizer.encode(text, { addSpecialTokens: false }).ids;
  const prefixLength = findSlice(framed.ids, body);
  const frameLength = framed.ids.length - body.length;
  const window = tokenizer.modelMaxLength - frameLength;
  const masks = positionsOf(body, tokenizer.maskTokenId);
  const first = masks[0];
  const last = masks[masks.length - 1];
  if (prefixLength < 0 || window < 1 || last - first + 1 > window) {
    throw new InputTooLongError({ length: framed.ids.length, limit: tokenizer.modelMaxLength, inputIndex, masksSpan: last - first + 1 });
  }
  const centred = Math.round((first + last + 1) / 2 - window / 2);
  const start = Math.min(Math.max(centred, 0, last + 1 - window), first, body.length - window);
  const keep = (values: readonly number[]) => [
    ...values.slice(0, prefixLength),
    ...values.slice(prefixLength + start, prefixLength + start + window),
    ...values.slice(prefixLength + body.length),
  ];
  const ids = keep(framed.ids);
  return { ids, tokenTypeIds: keep(framed.tokenTypeIds), maskPositions: positionsOf(ids, tokenizer.maskTokenId) };
}

function findSlice(haystack: readonly number[], needle: readonly number[]): number {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((value, offset) => haystack[start + offset] === value)) return start;
  }
  return -1;
}
