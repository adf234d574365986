import type { FillMaskConfig } from './fill-mask-config.js';
import type { FillMask } from './fill-mask.js';
import type { FillMaskWarning } from './fill-mask-warning.js';
import type { ModelBackendV1, ServiceBackendV1 } from '../backend/fill-mask-backend-v1.js';
import { resolveBackend } from '../backend/resolve-backend.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { checkLocalModelConfig, defaultBatchSize, loadLocalModel } from '../model/load-local-model.js';
import { ModelFillMask } from './model-fill-mask.js';
import { checkMaskAliases } from './mask-aliases.js';
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
  const { files, tokenizer, model, batchLimits } = await loadLocalModel(config, backend);
  const fillMask = new ModelFillMask({
    model,
    tokenizer,
    location: files.location,
    backendName: backend.name,
    batchLimits,
    defaults: { topK: config.topK, targets: config.targets, truncation: config.truncation },
    maskAliases: checkMaskAliases(config.maskAliases),
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
  const service = await backend.connect({
    model: config.model,
    source: { revision, accessToken, cacheDir, offline, hubUrl, fetch, onProgress },
  });
  const fillMask = new ServiceFillMask({
    service,
    model: config.model,
    backendName: backend.name,
    batchSize: config.batchSize ?? defaultBatchSize,
    defaults: { topK: config.topK, targets: config.targets, truncation: config.truncation },
    maskAliases: checkMaskAliases(config.maskAliases),
  });
  try {
    fillMask.checkDefaults();
  } catch (error) {
    await fillMask.dispose();
    throw error;
  }
  return fillMask;
}

/** The default `onWarning`, documented in FillMaskConfig: library users see what was changed for them. */
function warnOnConsole(warning: FillMaskWarning): void {
  console.warn(`[fillmask] ${warning.message}`);
}

function checkConfig(config: FillMaskConfig): void {
  checkLocalModelConfig(config);
  if (config.topK !== undefined) checkTopK(config.topK);
  checkMaskAliases(config.maskAliases);
}
