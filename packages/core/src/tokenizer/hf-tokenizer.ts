import { Tokenizer } from '@huggingface/tokenizers';
import type { EncodedText, FillMaskTokenizer } from './fill-mask-tokenizer.js';
import { splitAstralIdeographs } from './split-astral-ideographs.js';

export interface HfTokenizerOptions {
  /** Parsed tokenizer.json. */
  readonly tokenizerJson: Record<string, unknown>;
  /** Parsed tokenizer_config.json ({} when the model has none). */
  readonly tokenizerConfig: Record<string, unknown>;
  readonly maskToken: string;
  readonly maskTokenId: number;
  readonly padTokenId: number;
  readonly modelMaxLength: number;
}

/** A FillMaskTokenizer over `@huggingface/tokenizers`, with the gaps we know of filled in. */
export class HfTokenizer implements FillMaskTokenizer {
  readonly maskToken: string;
  readonly maskTokenId: number;
  readonly padTokenId: number;
  readonly modelMaxLength: number;
  readonly specialTokenIds: ReadonlySet<number>;
  private readonly tokenizer: Tokenizer;
  private readonly splitsIdeographs: boolean;

  constructor(options: HfTokenizerOptions) {
    this.tokenizer = new Tokenizer(options.tokenizerJson, options.tokenizerConfig);
    this.maskToken = options.maskToken;
    this.maskTokenId = options.maskTokenId;
    this.padTokenId = options.padTokenId;
    this.modelMaxLength = options.modelMaxLength;
    this.specialTokenIds = new Set([...this.tokenizer.get_added_tokens_decoder()].filter(([, token]) => token.special).map(([id]) => id));
    this.splitsIdeographs = usesBertChineseSplitting(options.tokenizerJson.normalizer);
  }

  encode(text: string, { addSpecialTokens = true }: { addSpecialTokens?: boolean } = {}): EncodedText {
    const prepared = this.splitsIdeographs ? splitAstralIdeographs(text) : text;
    const encoding = this.tokenizer.encode(prepared, { add_special_tokens: addSpecialTokens, return_token_type_ids: true });
    return { ids: encoding.ids, tokenTypeIds: encoding.token_type_ids ?? new Array<number>(encoding.ids.length).fill(0) };
  }

  decode(ids: readonly number[], { skipSpecialTokens = false }: { skipSpecialTokens?: boolean } = {}): string {
    // An id past the tokenizer's vocabulary (models pad their embedding matrix: nomic-bert, DeBERTa-v3,
    // ModernBERT) decodes to nothing in Python and Rust; @huggingface/tokenizers would write the unknown token.
    const known = ids.filter((id) => this.tokenizer.id_to_token(id) !== undefined);
    // @huggingface/tokenizers throws on an empty list; Python and Rust decode it to "".
    if (known.length === 0) return '';
    return this.tokenizer.decode(known, { skip_special_tokens: skipSpecialTokens });
  }

  tokenToId(token: string): number | undefined {
    return this.tokenizer.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.tokenizer.id_to_token(id);
  }
}

function usesBertChineseSplitting(normalizer: unknown): boolean {
  if (typeof normalizer !== 'object' || normalizer === null) return false;
  const { type, handle_chinese_chars: handlesChinese, normalizers } = normalizer as Record<string, unknown>;
  if (type === 'BertNormalizer') return handlesChinese !== false;
  if (type === 'Sequence' && Array.isArray(normalizers)) return normalizers.some(usesBertChineseSplitting);
  return false;
}
