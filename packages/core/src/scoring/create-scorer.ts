import { openModel } from '#platform/open-model';
import type { ModelBackendV1 } from '../backend/fill-mask-backend-v1.js';
import type { ModelFiles } from '../model-source/model-files.js';
import type { MaskedLmScorer } from './masked-lm-scorer.js';
import type { ScorerConfig } from './scorer-config.js';
import { resolveBackend } from '../backend/resolve-backend.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { loadModelConfig } from '../model/model-config.js';
import { modelDtypes, modelFileForDtype } from '../model/model-file-for-dtype.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { ModelMaskedLmScorer } from './model-masked-lm-scorer.js';

/**
 * Loads a masked LM for scoring: pseudo-log-likelihood and pseudo-perplexity of texts (Salazar et
 * al. 2020). Needs a model backend (`onnx`, `web`): a service such as the Inference API returns
 * ranked tokens, not the logits scoring reads.
 *
 * @example
 * const scorer = await createScorer({ model: 'Xenova/bert-base-uncased' });
 * const { pll, tokens, pppl } = await scorer.score('She opened the door and walked in.');
 */
export async function createScorer(config: ScorerConfig): Promise<MaskedLmScorer> {
  checkConfig(config);
  const backend = await resolveBackend(config.backend ?? 'onnx', config.backendOptions);
  if (backend.kind === 'service') {
    throw new InvalidArgumentError({
      argument: 'backend',
      value: backend.name,
      expected: 'a model backend such as "onnx" or "web": a service backend returns ranked tokens, not the logits scoring reads',
    });
  }
  return loadScorer(config, backend);
}

async function loadScorer(config: ScorerConfig, backend: ModelBackendV1): Promise<MaskedLmScorer> {
  const dtype = config.dtype ?? 'fp32';
  const files = typeof config.model === 'string' ? await openModel(config.model, config) : config.model;
  const modelConfig = await loadModelConfig(files);
  const tokenizer = config.tokenizer ?? (await loadTokenizer(files, modelConfig));
  const model = await backend.loadModel({ files, config: modelConfig, dtype, modelFile: modelFileForDtype(dtype) });
  if (tokenizer.maskTokenId >= model.vocabSize) {
    await model.dispose();
    throw new UnsupportedModelError({
      model: files.location,
      reason: `the mask token id ${tokenizer.maskTokenId} is outside the model's ${model.vocabSize} outputs; the tokenizer does not belong to this model.`,
    });
  }
  return new ModelMaskedLmScorer({
    model,
    tokenizer,
    location: files.location,
    backendName: backend.name,
    batchSize: config.batchSize ?? defaultBatchSize[dtype],
    truncation: config.truncation ?? false,
  });
}

/** See ScorerConfig.batchSize for why q8 runs one copy per pass by default. */
const defaultBatchSize = { fp32: 32, q8: 1 } as const;

function checkConfig(config: ScorerConfig): void {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidArgumentError({ argument: 'config', value: config, expected: 'an object with at least { model }' });
  }
  if (!(typeof config.model === 'string' && config.model.trim() !== '') && !isModelFiles(config.model)) {
    throw new InvalidArgumentError({ argument: 'model', value: config.model, expected: 'a Hub model id, a folder path or a ModelFiles object' });
  }
  if (config.dtype !== undefined && !modelDtypes.includes(config.dtype)) {
    throw new InvalidArgumentError({ argument: 'dtype', value: config.dtype, expected: modelDtypes.map((name) => JSON.stringify(name)).join(' or ') });
  }
  const { batchSize } = config;
  if (batchSize !== undefined && (!Number.isInteger(batchSize) || batchSize < 1)) {
    throw new InvalidArgumentError({ argument: 'batchSize', value: batchSize, expected: 'an integer of at least 1' });
  }
  if (config.backend !== undefined && typeof config.backend !== 'string' && (typeof config.backend !== 'object' || config.backend === null)) {
    throw new InvalidArgumentError({ argument: 'backend', value: config.backend, expected: 'a backend name such as "onnx" or a backend instance' });
  }
}

function isModelFiles(value: unknown): value is ModelFiles {
  return typeof value === 'object' && value !== null && typeof (value as ModelFiles).read === 'function';
}
