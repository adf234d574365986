/**
 * `token`: PLL as in Salazar et al. (2020), each scored token masked alone.
 * `word-l2r`: Kauf & Ivanova (2023), each scored token masked together with the sub-tokens of its
 * word to its right, so a word split into pieces cannot be predicted from its own later pieces.
 */
export type ScoreMode = 'token' | 'word-l2r';

export const scoreModes: readonly ScoreMode[] = ['token', 'word-l2r'];

/** Options of one `score` call. Each falls back to the scorer's config, then to its default. */
export interface ScoreOptions {
  /** Default `token`. */
  readonly mode?: ScoreMode;
  /** Also return the log-probability of every scored token. Default false. */
  readonly perToken?: boolean;
  /** Overrides the config's `truncation` for this call. */
  readonly truncation?: boolean;
  /** Stops a long call between batches; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Reports progress through an array of texts, after each batch that completes a text. */
  readonly onProgress?: (progress: ScoreProgress) => void;
}

export interface ScoreProgress {
  /** Texts fully scored so far. */
  readonly completed: number;
  readonly total: number;
}
