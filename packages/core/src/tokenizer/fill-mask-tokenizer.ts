/**
 * What fill-mask needs from a tokenizer. The default implementation reads `tokenizer.json` and
 * `tokenizer_config.json`, or builds tokenizer.json from the slow tokenizer files when a model has
 * none (see `loadTokenizer`); any other can be plugged in through the config.
 */
export interface FillMaskTokenizer {
  readonly maskToken: string;
  readonly maskTokenId: number;
  readonly padTokenId: number;
  /** Longest input the model accepts, special tokens included. */
  readonly modelMaxLength: number;
  /** Ids of the special tokens (`[CLS]`, `</s>`, `<pad>`, the mask, ...). */
  readonly specialTokenIds: ReadonlySet<number>;

  /** Tokenizes one text; with `addSpecialTokens` (default true) the model's `[CLS] ... [SEP]` framing is added. */
  encode(text: string, options?: { addSpecialTokens?: boolean }): EncodedText;
  /** Turns ids back into text, as the Python tokenizers do (`clean_up_tokenization_spaces` from the config). */
  decode(ids: readonly number[], options?: { skipSpecialTokens?: boolean }): string;
  /** The id of an exact vocabulary entry, or undefined. */
  tokenToId(token: string): number | undefined;
  idToToken(id: number): string | undefined;
}

export interface EncodedText {
  readonly ids: number[];
  readonly tokenTypeIds: number[];
}
