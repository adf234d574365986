/**
 * Builders for the pieces of tokenizer.json that several converters share, written as the Rust
 * `tokenizers` library serialises them (the form `@huggingface/tokenizers` reads).
 */

export type TokenizerJson = Record<string, unknown>;

/** A whole tokenizer.json: no truncation or padding, as `tokenizers` saves a fresh Tokenizer. */
export function tokenizerJson(parts: {
  addedTokens: readonly unknown[];
  normalizer: unknown;
  preTokenizer: unknown;
  postProcessor: unknown;
  decoder: unknown;
  model: unknown;
}): TokenizerJson {
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: parts.addedTokens,
    normalizer: parts.normalizer,
    pre_tokenizer: parts.preTokenizer,
    post_processor: parts.postProcessor,
    decoder: parts.decoder,
    model: parts.model,
  };
}

/** One item of a TemplateProcessing template: a special token's name, or a sequence ("A", "B"). */
export type TemplatePiece =
  | { readonly special: string; readonly typeId: number }
  | { readonly sequence: 'A' | 'B'; readonly typeId: number };

/** TemplateProcessing: the templates for one and two sequences, and the ids of the special tokens they name. */
export function templateProcessing(
  single: readonly TemplatePiece[],
  pair: readonly TemplatePiece[],
  specialTokens: ReadonlyArray<readonly [string, number]>,
): TokenizerJson {
  const piece = (item: TemplatePiece) =>
    'special' in item
      ? { SpecialToken: { id: item.special, type_id: item.typeId } }
      : { Sequence: { id: item.sequence, type_id: item.typeId } };
  return {
    type: 'TemplateProcessing',
    single: single.map(piece),
    pair: pair.map(piece),
    special_tokens: Object.fromEntries(specialTokens.map(([name, id]) => [name, { id: name, ids: [id], tokens: [name] }])),
  };
}

/** WhitespaceSplit then Metaspace, as transformers 5 builds SentencePiece tokenizers. */
export function metaspacePreTokenizer(addPrefixSpace: boolean): TokenizerJson {
  return { type: 'Sequence', pretokenizers: [{ type: 'WhitespaceSplit' }, metaspace(addPrefixSpace)] };
}

/** The Metaspace decoder that undoes `metaspacePreTokenizer`. */
export function metaspaceDecoder(addPrefixSpace: boolean): TokenizerJson {
  return metaspace(addPrefixSpace);
}

function metaspace(addPrefixSpace: boolean): TokenizerJson {
  return { type: 'Metaspace', replacement: '\u2581', prepend_scheme: addPrefixSpace ? 'always' : 'never', split: true };
}

/** A tokenizer_config.json option that must be a boolean; anything else means the class's default. */
export function booleanOption(options: Readonly<Record<string, unknown>>, name: string, fallback: boolean): boolean {
  const value = options[name];
  return typeof value === 'boolean' ? value : fallback;
}
