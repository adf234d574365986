/** The score of one text. */
export interface TextScore {
  /** Pseudo-log-likelihood: Σ log P(token | the rest), natural log, over the scored tokens. */
  readonly pll: number;
  /** Number of scored tokens: every token of the text except the special ones (`[CLS]`, `</s>`, `[UNK]`, masks, ...). */
  readonly tokens: number;
  /** Pseudo-perplexity, `exp(-pll / tokens)`. */
  readonly pppl: number;
  /** With `perToken: true`: one entry per scored token, in text order. */
  readonly perToken?: readonly TokenScore[];
}

export interface TokenScore {
  /** The vocabulary entry, as the tokenizer spells it (`##ization`, `Ġworld`, `▁the`). */
  readonly token: string;
  readonly id: number;
  /** Index in the encoded ids, special tokens included. */
  readonly position: number;
  /** log P(this token | the rest), natural log, over the whole vocabulary. */
  readonly logProbability: number;
}

/** Σ PLL, Σ tokens and the corpus pseudo-perplexity `exp(-Σ pll / Σ tokens)`. */
export interface CorpusScore {
  readonly pll: number;
  readonly tokens: number;
  readonly pppl: number;
}

export type ScoreSettledResult =
  | { readonly status: 'fulfilled'; readonly value: TextScore }
  | { readonly status: 'rejected'; readonly reason: Error };
