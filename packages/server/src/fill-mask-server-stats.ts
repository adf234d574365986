import type { BatchCounters } from './dynamic-batcher.js';

/** Counters since the server was created. */
export interface FillMaskServerStats extends BatchCounters {
  /** Requests received, on every route. */
  readonly requests: number;
  /** Responses sent, by status code. */
  readonly responses: Readonly<Record<number, number>>;
  /** Requests being answered now. */
  readonly inFlightRequests: number;
  /** Inputs waiting for a batch now (with a model in this process: inputs not answered yet). */
  readonly queuedInputs: number;
  /** Forward passes the model ran, with a model in this process (`FillMask.passes`); 0 otherwise. */
  readonly forwardPasses: number;
  /** Inputs in those passes. */
  readonly forwardPassRows: number;
  /** Their tokens, and rows × longest row summed over the passes: the difference is padding. */
  readonly forwardPassTokens: number;
  readonly forwardPassPaddedTokens: number;
}
