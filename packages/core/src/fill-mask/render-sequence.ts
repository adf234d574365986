import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';

/**
 * The input with `token` written at `ids[position]`, decoded without the framing special tokens
 * (`[CLS]`, `</s>`, padding) but with the other masks kept as the mask token. Python's pipeline
 * leaks `<s>`/`</s>` into multi-mask sequences (transformers #17394); this does not.
 */
export function renderSequence(
  ids: readonly number[],
  position: number,
  token: number,
  tokenizer: FillMaskTokenizer,
  maskEatsSpace: boolean,
): string {
  const kept: number[] = [];
  let otherMasks = 0;
  ids.forEach((id, index) => {
    if (index === position) kept.push(token);
    else if (id === tokenizer.maskTokenId) {
      kept.push(id);
      otherMasks++;
    } else if (!tokenizer.specialTokenIds.has(id)) kept.push(id);
  });
  const text = tokenizer.decode(kept);
  // A mask with lstrip swallowed the space before it when the text was encoded; put it back.
  return otherMasks > 0 && maskEatsSpace ? spaceBeforeMasks(text, tokenizer.maskToken) : text;
}

function spaceBeforeMasks(text: string, maskToken: string): string {
  return text
    .split(maskToken)
    .reduce((joined, part) => (/\S$/.test(joined) ? `${joined} ${maskToken}${part}` : `${joined}${maskToken}${part}`));
}
