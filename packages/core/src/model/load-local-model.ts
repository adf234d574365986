import { openModel } from '#platform/open-model';
import type { BackendModelV1, ModelBackendV1, ModelDtype } from '../backend/fill-mask-backend-v1.js';
import type { ModelFiles } from '../model-source/model-files.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { BatchLimits } from '../batching/token-budget.js';
import { defaultMaxBatchTokens } from '../batching/token-budget.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { loadModelConfig } from './model-config.js';
import { chooseModelFile, modelDtypes } from './choose-model-file.js';

/** The config fields every local-model factory (`createFillMask`, `createScorer`) shares. */
export interface LocalModelConfig extends ModelSourceOptions {
  readonly model: string | ModelFiles;
  readonly backend?: unknown;
  readonly dtype?: ModelDtype;
  readonly batchSize?: number;
  readonly maxBatchTokens?: number;
  readonly tokenizer?: FillMaskTokenizer;
}

export interface LoadedLocalModel {
  readonly files: ModelFiles;
  readonly tokenizer: FillMaskTokenizer;
  readonly model: BackendModelV1;
  /** How forward passes are sized: the config's limits, else the defaults (see FillMaskConfig.batchSize and maxBatchTokens). */
  readonly batchLimits: BatchLimits;
}

/** Inputs per forward pass by default: 32, or 1 where batch-mates would shift each other's scores. */
export const defaultBatchSize = 32;

/**
 * A q8 graph quantizes activations with one scale per tensor, so unless the backend runs a variant
 * quantizing per input (and says so with `batchInvariant`), batching would change scores.
 */
export function defaultBatchSizeFor(dtype: ModelDtype, model: Pick<BackendModelV1, 'batchInvariant'>): number {
  return (model.batchInvariant ?? dtype === 'fp32') ? defaultBatchSize : 1;
}

/** The backend's suggestion for the token budget, when it makes one that is a budget at all. */
function preferredBatchTokens(model: BackendModelV1): number | undefined {
  const tokens = model.preferredBatchTokens;
  return Number.isInteger(tokens) && (tokens as number) >= 1 ? tokens : undefined;
}

/** Opens the model's files, reads its config and tokenizer, and has the backend load the graph. */
export async function loadLocalModel(config: LocalModelConfig, backend: ModelBackendV1): Promise<LoadedLocalModel> {
  const dtype = config.dtype ?? 'fp32';
  const files = typeof config.model === 'string' ? await openModel(config.model, config) : config.model;
  // config.json first: every model has one, and a model that cannot be reached at all fails here
  // with its own error (offline and not cached, no such repository). Then the file list, before the
  // tokenizer's files, so that a source that lists them (the Hub) asks for none the model lacks.
  const modelConfig = await loadModelConfig(files);
  const { modelFile, modelFormat } = await chooseModelFile(files, dtype, backend);
  const { tokenizer, model } = await withCachedFilesVerified(files, async (tracked) => {
    const tokenizer = config.tokenizer ?? (await loadTokenizer(tracked, modelConfig));
    return { tokenizer, model: await backend.loadModel({ files: tracked, config: modelConfig, dtype, modelFile, modelFormat }) };
  });
  if (tokenizer.maskTokenId >= model.vocabSize) {
    await model.dispose();
    throw new UnsupportedModelError({
      model: files.location,
      reason: `the mask token id ${tokenizer.maskTokenId} is outside the model's ${model.vocabSize} outputs; the tokenizer does not belong to this model.`,
    });
  }
  const batchLimits: BatchLimits = {
    maxBatchSize: config.batchSize ?? defaultBatchSizeFor(dtype, model),
    maxBatchTokens: config.maxBatchTokens ?? preferredBatchTokens(model) ?? defaultMaxBatchTokens,
  };
  return { files, tokenizer, model, batchLimits };
}

/**
 * Runs `load` on the files, noting which it reads. Should it fail, a source that caches files (the
 * Hub's) hashes each of them (`ModelFiles.verify`): a copy damaged on disk with its size intact is
 * only found that way. When one was damaged and has been downloaded again, `load` runs once more;
 * offline, `verify` rejects with an error naming the file and the way out. Otherwise the load's own
 * error stands.
 */
async function withCachedFilesVerified<T>(files: ModelFiles, load: (files: ModelFiles) => Promise<T>): Promise<T> {
  const verify = files.verify?.bind(files);
  // Nothing cached to check (a folder, files of the caller's own): the files go to the load as they are.
  if (verify === undefined) return load(files);
  const read = new Set<string>();
  try {
    return await load(noteReads(files, read));
  } catch (error) {
    let replaced = false;
    for (const path of read) replaced = (await verify(path)) || replaced;
    if (!replaced) throw error;
    return load(files);
  }
}

/** The same files, with every path read (or asked for on disk) added to `read`. */
function noteReads(files: ModelFiles, read: Set<string>): ModelFiles {
  const { localPath, list, verify } = files;
  return {
    location: files.location,
    read: (path) => {
      read.add(path);
      return files.read(path);
    },
    exists: (path) => files.exists(path),
    ...(localPath && {
      localPath: (path: string) => {
        read.add(path);
        return localPath.call(files, path);
      },
    }),
    ...(list && { list: () => list.call(files) }),
    ...(verify && { verify: (path: string) => verify.call(files, path) }),
  };
}

function checkPositiveInteger(argument: string, value: unknown): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1)) {
    throw new InvalidArgumentError({ argument, value, expected: 'an integer of at least 1' });
  }
}

/** Checks the shared config fields before anything is loaded, each failure naming the field. */
export function checkLocalModelConfig(config: LocalModelConfig): void {
  if (typeof config !== 'object' || config === null) {
    throw new InvalidArgumentError({ argument: 'config', value: config, expected: 'an object with at least { model }' });
  }
  if (!(typeof config.model === 'string' && config.model.trim() !== '') && !isModelFiles(config.model)) {
    throw new InvalidArgumentError({
      argument: 'model',
      value: config.model,
      expected: 'a Hub model id, a folder path or a ModelFiles object',
    });
  }
  if (config.dtype !== undefined && !modelDtypes.includes(config.dtype)) {
    throw new InvalidArgumentError({
      argument: 'dtype',
      value: config.dtype,
      expected: modelDtypes.map((name) => JSON.stringify(name)).join(' or '),
    });
  }
  checkPositiveInteger('batchSize', config.batchSize);
  checkPositiveInteger('maxBatchTokens', config.maxBatchTokens);
  if (
    config.backend !== undefined &&
    typeof config.backend !== 'string' &&
    (typeof config.backend !== 'object' || config.backend === null)
  ) {
    throw new InvalidArgumentError({
      argument: 'backend',
      value: config.backend,
      expected: 'a backend name such as "onnx" or a backend instance',
    });
  }
}

export function isModelFiles(value: unknown): value is ModelFiles {
  return typeof value === 'object' && value !== null && typeof (value as ModelFiles).read === 'function';
}
