import type { FillMaskConfig } from '../fill-mask/fill-mask-config.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';

/**
 * Everything `createScorer` needs; only `model` is required. The fields mean what they mean in
 * `createFillMask`'s config, so one config object can serve both (its fill-only fields are ignored).
 */
export interface ScorerConfig
  extends ModelSourceOptions,
    Pick<FillMaskConfig, 'model' | 'backend' | 'backendOptions' | 'dtype' | 'tokenizer'> {
  /**
   * Masked copies per forward pass. Default 32 for fp32 and 1 for q8: a q8 graph quantizes
   * activations with one scale per tensor, so copies run together shift each other's scores; one
   * copy per pass keeps every score independent of the batch. Set it to trade that for speed.
   */
  readonly batchSize?: number;
  /**
   * Texts longer than the model's limit: `false` (default) rejects them with InputTooLongError;
   * `true` scores only their first window (the special-token framing kept).
   */
  readonly truncation?: boolean;
}
