import type { ModelFiles } from '../model-source/model-files.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { readJsonFile } from './read-json-file.js';

/** The fields of a Hugging Face `config.json` that fill-mask needs; the rest is kept as read. */
export interface ModelConfig {
  readonly model_type?: string;
  readonly architectures?: readonly string[];
  readonly vocab_size?: number;
  readonly max_position_embeddings?: number;
  readonly pad_token_id?: number;
  readonly [key: string]: unknown;
}

export async function loadModelConfig(files: ModelFiles): Promise<ModelConfig> {
  const config = await readJsonFile(files, 'config.json');
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UnsupportedModelError({ model: files.location, reason: 'config.json is not a JSON object.' });
  }
  return config as ModelConfig;
}
