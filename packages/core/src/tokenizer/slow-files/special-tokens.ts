import { plainAddedToken, type AddedTokenSpec } from './added-token.js';
import { namedSpecialTokens, type NamedSpecialToken, type SlowTokenizerSettings } from './slow-tokenizer-settings.js';

/** What a tokenizer class of transformers assumes about its special tokens. */
export interface SpecialTokenConventions {
  /** The class's default for each named token (`BertTokenizer(mask_token="[MASK]", ...)`). */
  readonly defaults: Readonly<Partial<Record<NamedSpecialToken, string>>>;
  /**
   * The mask token, when given as a plain string, swallows the spaces before it. RobertaTokenizer,
   * XLMRobertaTokenizer, CamembertTokenizer and AlbertTokenizer declared it so in transformers 4
   * (and every tokenizer.json converted then carries it): those models were trained with the mask in
   * place of a word and its space. transformers 5 keeps it only for CamemBERT; fillmask keeps it for all.
   */
  readonly maskLstrip: boolean;
}

/** The named special tokens: the files' own, else the class's defaults, as the tokens to add. */
export function resolveNamedTokens(
  settings: SlowTokenizerSettings,
  conventions: SpecialTokenConventions,
): Map<NamedSpecialToken, AddedTokenSpec> {
  const resolved = new Map<NamedSpecialToken, AddedTokenSpec>();
  for (const name of namedSpecialTokens) {
    const value = settings.namedTokens.get(name) ?? conventions.defaults[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') {
      // transformers marks a named token special whatever its flags say.
      resolved.set(name, { ...value, special: true });
    } else if (name === 'mask_token' && conventions.maskLstrip) {
      resolved.set(name, { ...plainAddedToken(value, true), lstrip: true });
    } else {
      resolved.set(name, plainAddedToken(value, true));
    }
  }
  return resolved;
}

/**
 * The tokens transformers 5 adds to a tokenizer it builds from slow files, in its order
 * (TokenizersBackend.__init__): `added_tokens_decoder` by id, then the named special tokens, then the
 * extra special ones (for SentencePiece models, their CONTROL and USER_DEFINED pieces unless a file
 * lists others). `addTokens` drops the repeats.
 */
export function tokensToAdd(
  settings: SlowTokenizerSettings,
  namedTokens: ReadonlyMap<NamedSpecialToken, AddedTokenSpec>,
  defaultExtraTokens: readonly AddedTokenSpec[] = [],
): AddedTokenSpec[] {
  const namedContents = new Set([...namedTokens.values()].map((token) => token.content));
  const markNamedSpecial = (token: AddedTokenSpec): AddedTokenSpec =>
    namedContents.has(token.content) && !token.special ? { ...token, special: true } : token;
  return [
    ...settings.addedTokensDecoder.map(([, token]) => markNamedSpecial(token)),
    ...namedTokens.values(),
    ...(settings.extraSpecialTokens ?? defaultExtraTokens).map(markNamedSpecial),
  ];
}
