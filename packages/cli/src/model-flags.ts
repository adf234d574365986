import { createOnnxBackend } from '@fillmask/backend-onnx';
import { commonMaskAliases, modelDtypes, type FillMaskConfig, type ModelDtype } from '@fillmask/core';
import { bundledModelPath } from './bundled-model.js';
import { checkModelLocation } from './model-location.js';
import { positiveInteger } from './positive-integer.js';
import { UsageError } from './usage-error.js';

/** The flags that choose and load the model, the same in every command that runs one. */
export const modelFlagSpecs = {
  model: { type: 'string', short: 'm' },
  // No default here: readModelFlags picks onnx, or remote when --endpoint-url is given.
  backend: { type: 'string', short: 'b' },
  dtype: { type: 'string', default: 'fp32' },
  'batch-size': { type: 'string' },
  'batch-tokens': { type: 'string' },
  revision: { type: 'string' },
  offline: { type: 'boolean', default: false },
  'force-download': { type: 'boolean', default: false },
} as const;

/** The backends `-b` names: the ones core loads by name. */
const cliBackends: readonly string[] = ['onnx', 'web', 'remote'];

/** The flag of the remote backend, for the commands it can run (fill, serve, eval; not score, which needs logits). */
export const remoteFlagSpecs = {
  'endpoint-url': { type: 'string' },
} as const;

export interface ModelFlags {
  readonly model: string | undefined;
  readonly backend: string;
  readonly dtype: ModelDtype;
  readonly batchSize: number | undefined;
  /** Most padded tokens per forward pass (FillMaskConfig.maxBatchTokens). */
  readonly batchTokens: number | undefined;
  readonly revision: string | undefined;
  readonly offline: boolean;
  /** Download the model's files again even when cached (a cached file that was damaged, say). */
  readonly forceDownload: boolean;
  /** The service the remote backend calls (`fillmask serve`, an Inference Endpoint); undefined: the hosted Inference API. */
  readonly endpointUrl: string | undefined;
}

/** Checks the parsed model flags; a wrong value is a UsageError. */
export function readModelFlags(values: {
  model?: string;
  backend?: string;
  dtype?: string;
  'batch-size'?: string;
  'batch-tokens'?: string;
  revision?: string;
  offline?: boolean;
  'force-download'?: boolean;
  'endpoint-url'?: string;
}): ModelFlags {
  if (!modelDtypes.includes(values.dtype as ModelDtype)) {
    throw new UsageError(`--dtype must be ${modelDtypes.join(' or ')}, not ${JSON.stringify(values.dtype)}.`);
  }
  const endpointUrl = values['endpoint-url'];
  if (endpointUrl !== undefined && !/^https?:\/\/[^/\s]/.test(endpointUrl)) {
    throw new UsageError(
      `--endpoint-url must be an http:// or https:// URL, such as http://127.0.0.1:8080, not ${JSON.stringify(endpointUrl)}.`,
    );
  }
  const backend = values.backend ?? (endpointUrl === undefined ? 'onnx' : 'remote');
  if (!cliBackends.includes(backend)) {
    throw new UsageError(`-b must be ${cliBackends.join(', ')}, not ${JSON.stringify(backend)}.`);
  }
  if (endpointUrl !== undefined && backend !== 'remote') {
    throw new UsageError(`--endpoint-url is for the remote backend (-b remote), not -b ${backend}.`);
  }
  return {
    model: values.model,
    backend,
    dtype: values.dtype as ModelDtype,
    batchSize: values['batch-size'] === undefined ? undefined : positiveInteger('--batch-size', values['batch-size']),
    batchTokens: values['batch-tokens'] === undefined ? undefined : positiveInteger('--batch-tokens', values['batch-tokens']),
    revision: values.revision,
    offline: values.offline!,
    forceDownload: values['force-download'] ?? false,
    endpointUrl,
  };
}

/**
 * The part of createFillMask's (and createScorer's) config the model flags give; without --model,
 * the bundled model. Every command accepts `[MASK]` and `<mask>` whatever the model. A --model that
 * must be a local folder and is none is a ModelLocationError, before any network request.
 * `batches`: the command will fill batches (a file, a server, scoring's copies), so a q8 model loads
 * only its per-input graph (the onnx backend's `expectBatches`). `serving`: a server, whose clients
 * may share its cores, so onnxruntime's threads stop spinning as soon as a forward pass returns.
 */
export function modelConfig(flags: ModelFlags, workload: { readonly batches: boolean; readonly serving?: boolean }): FillMaskConfig {
  // A service backend takes a name for the service, never a folder of its own.
  if (flags.model !== undefined && flags.backend !== 'remote') checkModelLocation(flags.model);
  return {
    model: flags.model ?? bundledModelPath,
    // The onnx backend is a dependency of the CLI: passed as an instance, it needs no lookup by name.
    backend:
      flags.backend === 'onnx'
        ? createOnnxBackend({
            expectBatches: workload.batches,
            ...(workload.serving && { sessionOptions: { extra: { session: { force_spinning_stop: '1' } } } }),
          })
        : flags.backend,
    backendOptions: flags.endpointUrl === undefined ? undefined : { endpointUrl: flags.endpointUrl },
    dtype: flags.dtype,
    revision: flags.revision,
    offline: flags.offline || undefined,
    forceDownload: flags.forceDownload || undefined,
    batchSize: flags.batchSize,
    maxBatchTokens: flags.batchTokens,
    maskAliases: commonMaskAliases,
  };
}
