/** Options of one fill call. Each falls back to the value given in the config, then to its default. */
export interface FillOptions {
  /** Candidates per mask, default 5; capped at the number of targets when targets are given. */
  readonly topK?: number;
  /**
   * Rank only these tokens. An exact vocabulary entry is used as is; anything else is replaced by its
   * first sub-token (with a warning); duplicates are removed. RoBERTa-style vocabularies mark a
   * leading space: `" Paris"` is not `"Paris"`.
   */
  readonly targets?: string | readonly string[];
  /**
   * Inputs longer than the model's limit: `false` (default) rejects them with InputTooLongError;
   * `true` keeps a window of the limit's length centred on the masks.
   */
  readonly truncation?: boolean;
  /** Stops a long call between batches; the promise rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Reports progress through an array of inputs, once per batch. */
  readonly onProgress?: (progress: FillProgress) => void;
}

export interface FillProgress {
  /** Inputs done so far. */
  readonly completed: number;
  readonly total: number;
}
