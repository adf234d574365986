import type { ModelConfig } from '../model/model-config.js';

/** Configs without a real limit store transformers' VERY_LARGE_INTEGER (1e30) instead. */
const unsetLimit = 1e12;

/**
 * Model types whose position ids start after the padding id (transformers'
 * `create_position_ids_from_input_ids`), so `pad_token_id + 1` rows of the position table are unusable.
 */
const offsetPositionModels = new Set([
  'roberta',
  'xlm-roberta',
  'xlm-roberta-xl',
  'roberta-prelayernorm',
  'camembert',
  'longformer',
  'mpnet',
  'data2vec-text',
  'ibert',
  'luke',
  'xmod',
]);

/**
 * The longest input, special tokens included: `model_max_length` from tokenizer_config.json when it
 * is real, capped by what the position embeddings allow.
 */
export function resolveModelMaxLength(tokenizerConfig: Record<string, unknown>, config: ModelConfig): number {
  const declared = tokenizerConfig.model_max_length;
  const positionLimit = positionEmbeddingLimit(config);
  if (typeof declared === 'number' && declared > 0 && declared < unsetLimit) {
    return positionLimit === undefined ? declared : Math.min(declared, positionLimit);
  }
  return positionLimit ?? 512;
}

/** How many positions the model's position table serves, after the offset of padding-based position ids. */
function positionEmbeddingLimit(config: ModelConfig): number | undefined {
  const positions = config.max_position_embeddings;
  if (typeof positions !== 'number' || positions <= 0) return undefined;
  const offset = (config.pad_token_id ?? 1) + 1;
  return usesPaddingOffset(config, positions, offset) ? positions - offset : positions;
}

/**
 * By model type where it is known; otherwise from the table's size, as these models size it: a power of
 * two plus the offset (514 = 512 + 2 for RoBERTa's pad id 1), which a table indexed from 0 never is.
 */
function usesPaddingOffset(config: ModelConfig, positions: number, offset: number): boolean {
  const type = config.model_type ?? '';
  if (offsetPositionModels.has(type)) return true;
  // ESM: absolute positions are padding-based; rotary ones have no table to run past.
  if (type === 'esm') return config.position_embedding_type === 'absolute';
  const usable = positions - offset;
  return offset > 1 && usable >= 64 && (usable & (usable - 1)) === 0;
}
