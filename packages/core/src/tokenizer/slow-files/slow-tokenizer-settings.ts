import { readAddedTokenSpec, type AddedTokenSpec } from './added-token.js';

/** The named special tokens of transformers' tokenizers, in the order it adds them (SPECIAL_TOKENS_ATTRIBUTES). */
export const namedSpecialTokens = ['bos_token', 'eos_token', 'unk_token', 'sep_token', 'pad_token', 'cls_token', 'mask_token'] as const;
export type NamedSpecialToken = (typeof namedSpecialTokens)[number];

/**
 * What tokenizer_config.json and special_tokens_map.json say about a tokenizer built from slow files,
 * merged as transformers 5 merges them (`_from_pretrained`): when tokenizer_config.json has
 * `added_tokens_decoder` (every save since transformers 4.34), that list is the truth about the added
 * tokens and special_tokens_map.json is not read; otherwise special_tokens_map.json's entries replace
 * tokenizer_config.json's.
 */
export interface SlowTokenizerSettings {
  /** tokenizer_config.json as written (do_lower_case, add_prefix_space, ...). */
  readonly options: Readonly<Record<string, unknown>>;
  /**
   * The named special tokens the files give, as plain strings or with their flags (objects, and
   * names that `added_tokens_decoder` lists); the model family's defaults fill the others.
   */
  readonly namedTokens: ReadonlyMap<NamedSpecialToken, string | AddedTokenSpec>;
  /** `added_tokens_decoder`, by id. */
  readonly addedTokensDecoder: ReadonlyArray<readonly [number, AddedTokenSpec]>;
  /** `extra_special_tokens` / `additional_special_tokens`, when a file lists them. */
  readonly extraSpecialTokens: readonly AddedTokenSpec[] | undefined;
}

export function readSlowTokenizerSettings(
  tokenizerConfig: Readonly<Record<string, unknown>>,
  specialTokensMap: Readonly<Record<string, unknown>> | undefined,
): SlowTokenizerSettings {
  const addedTokensDecoder = readAddedTokensDecoder(tokenizerConfig.added_tokens_decoder);
  const sources: Readonly<Record<string, unknown>> =
    addedTokensDecoder === undefined && specialTokensMap !== undefined ? { ...tokenizerConfig, ...specialTokensMap } : tokenizerConfig;

  const namedTokens = new Map<NamedSpecialToken, string | AddedTokenSpec>();
  for (const name of namedSpecialTokens) {
    const value = sources[name];
    const spec = readAddedTokenSpec(value, true);
    if (spec === undefined) continue;
    // A name that added_tokens_decoder lists takes that entry's flags.
    const listed = addedTokensDecoder?.find(([, token]) => token.content === spec.content)?.[1];
    namedTokens.set(name, listed ?? (typeof value === 'string' ? value : spec));
  }

  return {
    options: tokenizerConfig,
    namedTokens,
    addedTokensDecoder: addedTokensDecoder ?? [],
    extraSpecialTokens: readTokenList(sources.extra_special_tokens) ?? readTokenList(sources.additional_special_tokens),
  };
}

function readAddedTokensDecoder(value: unknown): Array<[number, AddedTokenSpec]> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const entries: Array<[number, AddedTokenSpec]> = [];
  for (const [key, token] of Object.entries(value)) {
    const id = Number(key);
    const spec = readAddedTokenSpec(token, false);
    if (Number.isInteger(id) && id >= 0 && spec) entries.push([id, spec]);
  }
  return entries.sort(([a], [b]) => a - b);
}

/** A list of tokens (strings or objects), or a name-to-token object; undefined when empty or absent. */
function readTokenList(value: unknown): AddedTokenSpec[] | undefined {
  const items = Array.isArray(value) ? value : typeof value === 'object' && value !== null ? Object.values(value) : [];
  const tokens = items.map((item) => readAddedTokenSpec(item, true)).filter((token) => token !== undefined);
  return tokens.length > 0 ? tokens : undefined;
}
