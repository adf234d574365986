import type { ScoreOptions } from './score-options.js';
import type { ScoreSettledResult, TextScore } from './text-score.js';

/** A loaded masked LM that scores texts. Create one with `createScorer`; call `dispose()` when done. */
export interface MaskedLmScorer {
  /**
   * Pseudo-log-likelihood and pseudo-perplexity of one text, or of each text of an array (in
   * order). The masked copies of the texts run as padded batches of `batchSize` copies.
   *
   * @example const { pll, pppl } = await scorer.score('She opened the door and walked in.');
   */
  score(text: string, options?: ScoreOptions): Promise<TextScore>;
  score(texts: readonly string[], options?: ScoreOptions): Promise<TextScore[]>;

  /**
   * Like `score` on an array, but a bad text (empty, only special tokens, too long, not a string)
   * gives an error in its own slot instead of failing the whole call.
   */
  scoreSettled(texts: readonly string[], options?: ScoreOptions): Promise<ScoreSettledResult[]>;

  /** The model's mask token, e.g. `[MASK]` or `<mask>`. */
  readonly maskToken: string;
  /** Longest text in tokens, special tokens included. */
  readonly maxLength: number;
  /** Where the model was loaded from. */
  readonly model: string;
  /** The backend's name. */
  readonly backend: string;

  /** Frees the model. Calls after it reject with DisposedError. */
  dispose(): Promise<void>;
}
