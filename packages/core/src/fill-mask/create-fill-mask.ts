import { openModel } from '#platform/open-model';
import type { FillMaskConfig } from './fill-mask-config.js';
import type { FillMask } from './fill-mask.js';
import type { FillMaskWarning } from './fill-mask-warning.js';
import type { ModelBackendV1, ServiceBackendV1 } from '../backend/fill-mask-backend-v1.js';
import type { ModelFiles } from '../model-source/model-files.js';
import { resolveBackend } from '../backend/resolve-backend.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { loadModelConfig } from '../model/model-config.js';
import { modelDtypes, modelFileForDtype } from '../model/model-file-for-dtype.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { ModelFillMask } from './model-fill-mask.js';
import { checkTopK } from './resolve-fill-options.js';
import { ServiceFillMask } from './service-fill-mask.js';

/**
 * Loads a model (or connects to the service that runs it) and returns a FillMask for it.
 *
 * @example
 * const fillMask = await createFillMask({ model: 'distilbert/distilroberta-base' });
 * const [predictions] = await fillMask.fill('Paris is the <mask> of France.');
 */
export async function createFillMask(config: FillMaskConfig): Promise<FillMask> {
  checkConfig(config);
  const backend = await resolveBackend(config.backend ?? 'onnx', config.backendOptions);
  return backend.kind === 'service' ? connectService(config, backend) : loadModel(config, backend);
}

async function loadModel(config: FillMaskConfig, backend: ModelBackendV1): Promise<FillMask> {
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
  const fillMask = new ModelFillMask({
    model,
    tokenizer,
    location: files.location,
    backendName: backend.name,
    batchSize: config.batchSize ?? defaultBatchSize[dtype],
    defaults: { topK: config.topK, targets: config.targets, truncation: config.truncation },
    warn: config.onWarning ?? warnOnConsole,
  });
  try {
    fillMask.checkDefaults();
  } catch (error) {
    await fillMask.dispose();
    throw error;
  }
  return fillMask;
}

/** A service backend opens no model file: the model's name goes to the service as given. */
async function connectService(config: FillMaskConfig, backend: ServiceBackendV1): Promise<FillMask> {
  if (typeof config.model !== 'string') {
    throw new InvalidArgumentError({
      argument: 'model',
      value: config.model,
      expected: `a model name for the ${backend.name} service (a Hub id): a ${backend.name} backend opens no model files`,
    });
  }
  const { revision, accessToken, cacheDir, offline, hubUrl, fetch, onProgress } = config;
  const service = await backend.connect({ model: config.model, source: { revision, accessToken, cacheDir, offline, hubUrl, fetch, onProgress } });
  const fillMask = new ServiceFillMask({
    service,
    model: config.model,
    backendName: backend.name,
    batchSize: config.batchSize ?? defaultBatchSize.fp32,
    defaults: { topK: config.topK, targets: config.targets, truncation: config.truncation },
  });
  try {
    fillMask.checkDefaults();
  } catch (error) {
    await fillMask.dispose();
    throw error;
  }
  return fillMask;
}

/** See FillMaskConfig.batchSize for why q8 runs one input per pass by default. */
const defaultBatchSize = { fp32: 32, q8: 1 } as const;

function warnOnConsole(warning: FillMaskWarning): void {
  console.warn(`[fillmask] ${warning.message}`);
}

function checkConfig(config: FillMaskConfig): void {
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
  if (config.topK !== undefined) checkTopK(config.topK);
  if (config.backend !== undefined && typeof config.backend !== 'string' && (typeof config.backend !== 'object' || config.backend === null)) {
    throw new InvalidArgumentError({ argument: 'backend', value: config.backend, expected: 'a backend name such as "onnx" or a backend instance' });
  }
}

function isModelFiles(value: unknown): value is ModelFiles {
  return typeof value === 'object' && value !== null && typeof (value as ModelFiles).read === 'function';
}
