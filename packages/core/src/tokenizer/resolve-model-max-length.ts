import type { ModelConfig } from '../model/model-config.js';

/** Configs without a real limit store transformers' VERY_LARGE_INTEGER (1e30) instead. */
const unsetLimit = 1e12;

/** Model types whose position ids start after the padding id, so two positions are unusable. */
const offsetPositionModels = new Set(['roberta', 'xlm-roberta', 'camembert', 'longformer', 'bart', 'mbart', 'data2vec-text']);

/**
 * The longest input, special tokens included: `model_max_length` from tokenizer_config.json when it
 * is real, else what the position embeddings allow.
 */
export function resolveModelMaxLength(tokenizerConfig: Record<string, unknown>, config: ModelConfig): number {
  const declared = tokenizerConfig.model_max_length;
  const positions = config.max_position_embeddings;
  const positionLimit =
    typeof positions === 'number' && positions > 0
      ? positions - (offsetPositionModels.has(config.model_type ?? '') ? (config.pad_token_id ?? 1) + 1 : 0)
      : undefined;
  if (typeof declared === 'number' && declared > 0 && declared < unsetLimit) {
    return positionLimit === undefined ? declared : Math.min(declared, positionLimit);
  }
  return positionLimit ?? 512;
}
