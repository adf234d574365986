import type { FillOptions } from './fill-options.js';
import type { MaskPredictions } from './prediction.js';
import type { PassCounters } from '../batching/shared-passes.js';

/** A loaded model that fills masks. Create one with `createFillMask`; call `dispose()` when done. */
export interface FillMask {
  /**
   * One input: one ranked list per mask, in the order of the masks. Several inputs: one such result
   * per input, in order, run as padded batches.
   *
   * @example const [predictions] = await fillMask.fill('Paris is the <mask> of France.');
   */
  fill(input: string, options?: FillOptions): Promise<MaskPredictions[]>;
  fill(inputs: readonly string[], options?: FillOptions): Promise<MaskPredictions[][]>;

  /**
   * Like `fill` on an array, but a bad input (no mask, too long, not a string) gives an error in its
   * own slot instead of failing the whole call.
   */
  fillSettled(inputs: readonly string[], options?: FillOptions): Promise<FillSettledResult[]>;

  /** The model's mask token, e.g. `[MASK]` or `<mask>`. */
  readonly maskToken: string;
  /**
   * The other spellings this FillMask rewrites to `maskToken` (the config's `maskAliases`). Absent
   * or empty: only `maskToken` is a mask. A server reads it to accept what the model accepts.
   */
  readonly maskAliases?: readonly string[];
  /** Longest input in tokens, special tokens included. */
  readonly maxLength: number;
  /** Where the model was loaded from. */
  readonly model: string;
  /** The backend's name. */
  readonly backend: string;
  /**
   * The forward passes run so far, when the model runs in this process: concurrent calls share them
   * (each pass takes waiting inputs of similar length, whichever call they came from). Absent for a
   * remote service. A server reads it for its metrics.
   */
  readonly passes?: PassCounters;

  /** Frees the model. Calls after it reject with DisposedError. */
  dispose(): Promise<void>;
}

export type FillSettledResult =
  | { readonly status: 'fulfilled'; readonly value: MaskPredictions[] }
  | { readonly status: 'rejected'; readonly reason: Error };
