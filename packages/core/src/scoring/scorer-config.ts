import type { FillMaskConfig } from '../fill-mask/fill-mask-config.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';

/**
 * Everything `createScorer` needs; only `model` is required. The fields mean what they mean in
 * `createFillMask`'s config, so one config object can serve both (its fill-only fields are ignored).
 */
export interface ScorerConfig
  extends ModelSourceOptions,
    Pick<FillMaskConfig, 'model' | 'backend' | 'backendOptions' | 'dtype' | 'tokenizer' | 'maxBatchTokens'> {
  /**
   * Most masked copies in one forward pass. Default 32 (see FillMaskConfig.batchSize: q8 batches give every
   * copy exactly its scores alone, and where a backend cannot do that for a q8 graph the default is 1).
   */
  readonly batchSize?: number;
  /**
   * Texts longer than the model's limit: `false` (default) rejects them with InputTooLongError;
   * `true` scores only their first window (the special-token framing kept).
   */
  readonly truncation?: boolean;
  /**
   * Other spellings of the mask, rewritten to the model's mask token before a text is tokenized, as
   * in `createFillMask`'s config. A mask in a text is context the scorer does not score (nor any
   * special token); with `commonMaskAliases`, `[MASK]` and `<mask>` are that mask for every model.
   * Default: none, and `<mask>` in a text for a BERT model is scored as the text it is.
   */
  readonly maskAliases?: readonly string[];
}
