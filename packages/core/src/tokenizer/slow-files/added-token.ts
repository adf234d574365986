/**
 * Added tokens as transformers and `tokenizers` describe them: a piece of text matched whole in the
 * input before the model sees it (`[MASK]`, `<s>`), with flags for the spaces around it.
 */

/** transformers' AddedToken: what to add, before it has an id. */
export interface AddedTokenSpec {
  readonly content: string;
  readonly single_word: boolean;
  /** Also swallows the spaces before the token (RoBERTa's `<mask>`: "is <mask>" reads as "is" + mask). */
  readonly lstrip: boolean;
  readonly rstrip: boolean;
  /** Matched in the normalised text (true) or in the raw input (false). */
  readonly normalized: boolean;
  readonly special: boolean;
}

/** One entry of tokenizer.json's `added_tokens`. */
export interface AddedTokenJson extends AddedTokenSpec {
  readonly id: number;
}

/**
 * A token as the tokenizer files write it: a plain string, or an object `{content, lstrip, ...}`
 * (`special_tokens_map.json`, `added_tokens_decoder`, `{"__type": "AddedToken", ...}` in
 * tokenizer_config.json). Missing flags take AddedToken's defaults: false, and `normalized` is the
 * opposite of `special`. Anything else is undefined.
 */
export function readAddedTokenSpec(value: unknown, special: boolean): AddedTokenSpec | undefined {
  if (typeof value === 'string') return plainAddedToken(value, special);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const fields = value as Record<string, unknown>;
  if (typeof fields.content !== 'string') return undefined;
  const isSpecial = typeof fields.special === 'boolean' ? fields.special : special;
  return {
    content: fields.content,
    single_word: fields.single_word === true,
    lstrip: fields.lstrip === true,
    rstrip: fields.rstrip === true,
    normalized: typeof fields.normalized === 'boolean' ? fields.normalized : !isSpecial,
    special: isSpecial,
  };
}

/** `AddedToken(content, special=special)`: no stripping, normalised unless special. */
export function plainAddedToken(content: string, special: boolean): AddedTokenSpec {
  return { content, single_word: false, lstrip: false, rstrip: false, normalized: !special, special };
}
