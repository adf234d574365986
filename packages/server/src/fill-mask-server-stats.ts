import type { BatchCounters } from './dynamic-batcher.js';

/** Counters since the server was created. */
export interface FillMaskServerStats extends BatchCounters {
  /** Requests received, on every route. */
  readonly requests: number;
  /** Responses sent, by status code. */
  readonly responses: Readonly<Record<number, number>>;
  /** Requests being answered now. */
  readonly inFlightRequests: number;
  /** Inputs waiting for a batch now. */
  readonly queuedInputs: number;
}
