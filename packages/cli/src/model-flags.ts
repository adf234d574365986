import { createOnnxBackend } from '@fillmask/backend-onnx';
import { modelDtypes, type FillMaskConfig, type ModelDtype } from '@fillmask/core';
import { bundledModelPath } from './bundled-model.js';
import { positiveInteger } from './positive-integer.js';
import { UsageError } from './usage-error.js';

/** The flags that choose and load the model, the same in every command that runs one. */
export const modelFlagSpecs = {
  model: { type: 'string', short: 'm' },
  backend: { type: 'string', short: 'b', default: 'onnx' },
  dtype: { type: 'string', default: 'fp32' },
  'batch-size': { type: 'string' },
  revision: { type: 'string' },
  offline: { type: 'boolean', default: false },
} as const;

export interface ModelFlags {
  readonly model: string | undefined;
  readonly backend: string;
  readonly dtype: ModelDtype;
  readonly batchSize: number | undefined;
  readonly revision: string | undefined;
  readonly offline: boolean;
}

/** Checks the parsed model flags; a wrong value is a UsageError. */
export function readModelFlags(values: {
  model?: string;
  backend?: string;
  dtype?: string;
  'batch-size'?: string;
  revision?: string;
  offline?: boolean;
}): ModelFlags {
  if (!modelDtypes.includes(values.dtype as ModelDtype)) {
    throw new UsageError(`--dtype must be ${modelDtypes.join(' or ')}, not ${JSON.stringify(values.dtype)}.`);
  }
  return {
    model: values.model,
    backend: values.backend!,
    dtype: values.dtype as ModelDtype,
    batchSize: values['batch-size'] === undefined ? undefined : positiveInteger('--batch-size', values['batch-size']),
    revision: values.revision,
    offline: values.offline!,
  };
}

/** The part of createFillMask's config the model flags give; without --model, the bundled model. */
export function modelConfig(flags: ModelFlags): FillMaskConfig {
  return {
    model: flags.model ?? bundledModelPath,
    // The onnx backend is a dependency of the CLI: passed as an instance, it needs no lookup by name.
    backend: flags.backend === 'onnx' ? createOnnxBackend() : flags.backend,
    dtype: flags.dtype,
    revision: flags.revision,
    offline: flags.offline || undefined,
    batchSize: flags.batchSize,
  };
}
