import { BackendUnavailableError, InvalidArgumentError, UnsupportedModelError } from '@fillmask/core';
import type { LoadModelRequestV1, ModelBackendV1 } from '@fillmask/core';
import type * as OrtWeb from 'onnxruntime-web';
import type { OnnxWebRuntime, WebBackendOptions, WebExecutionProvider } from './web-backend-options.js';
import { configureWasmEnvironment, defaultThreadCount } from './configure-wasm-environment.js';
import { loadWebRuntime } from './load-web-runtime.js';
import { WebBackendModel } from './web-backend-model.js';
import { webGpuUnavailableReason } from './webgpu-availability.js';

const executionProviders: readonly WebExecutionProvider[] = ['wasm', 'webgpu'];

/**
 * The browser backend, on onnxruntime-web: WebAssembly by default, WebGPU on request.
 *
 * @example
 * const fillMask = await createFillMask({ model: '/models/bert/', backend: createWebBackend({ executionProvider: 'webgpu', fallbackToWasm: true }) });
 */
export function createWebBackend(options: WebBackendOptions = {}): ModelBackendV1 {
  checkOptions(options);
  const requested = options.executionProvider ?? 'wasm';
  return {
    specificationVersion: 'v1',
    name: 'web',
    async loadModel({ files, config, modelFile }: LoadModelRequestV1) {
      let executionProvider = requested;
      let fallbackReason: string | undefined;
      if (requested === 'webgpu') {
        fallbackReason = await webGpuUnavailableReason();
        if (fallbackReason !== undefined) {
          if (!options.fallbackToWasm) throw webGpuUnavailable(fallbackReason);
          executionProvider = 'wasm';
        }
      }
      const model = await files.read(modelFile);
      let runtime = await prepareRuntime(options, executionProvider);
      let session: OrtWeb.InferenceSession;
      try {
        session = await createSession(runtime, model, executionProvider);
      } catch (cause) {
        if (executionProvider !== 'webgpu' || !options.fallbackToWasm) throw sessionError(cause, files.location, modelFile, executionProvider);
        fallbackReason = `WebGPU could not create the session: ${describe(cause)}`;
        executionProvider = 'wasm';
        runtime = await prepareRuntime(options, executionProvider);
        session = await createSession(runtime, model, executionProvider).catch((wasmCause: unknown) => {
          throw sessionError(wasmCause, files.location, modelFile, executionProvider);
        });
      }
      const loaded = WebBackendModel.create(runtime, session, files.location, config.vocab_size);
      options.onLoad?.({
        executionProvider,
        requestedExecutionProvider: requested,
        ...(fallbackReason === undefined ? {} : { fallbackReason }),
        numThreads: runtime.env.wasm.numThreads ?? 1,
      });
      return loaded;
    },
  };
}

async function prepareRuntime(options: WebBackendOptions, executionProvider: WebExecutionProvider): Promise<OnnxWebRuntime> {
  const runtime = await loadWebRuntime(options.runtime, executionProvider);
  configureWasmEnvironment(runtime, { wasmPaths: options.wasmPaths, numThreads: options.numThreads ?? defaultThreadCount() });
  return runtime;
}

function createSession(runtime: OnnxWebRuntime, model: Uint8Array, executionProvider: WebExecutionProvider): Promise<OrtWeb.InferenceSession> {
  return runtime.InferenceSession.create(model, { executionProviders: [executionProvider], graphOptimizationLevel: 'all' });
}

function webGpuUnavailable(reason: string): BackendUnavailableError {
  return new BackendUnavailableError({
    backend: 'web',
    reason: `WebGPU was requested (executionProvider: "webgpu") but ${reason}. Use executionProvider: "wasm", or pass fallbackToWasm: true to run on WebAssembly where WebGPU is missing.`,
  });
}

/**
 * onnxruntime-web starts its runtime and creates the session in one call: a runtime that cannot start
 * (its `.wasm` file not found, WebAssembly refused), which onnxruntime reports as "no available
 * backend found", is BackendUnavailableError; a model it cannot load is UnsupportedModelError.
 */
function sessionError(cause: unknown, location: string, modelFile: string, executionProvider: WebExecutionProvider): Error {
  const message = describe(cause);
  if (message.includes('no available backend found')) {
    return new BackendUnavailableError({
      backend: 'web',
      reason: `onnxruntime-web could not start on ${executionProvider} (${message}). Check that its .wasm files are served (see the wasmPaths option).`,
      cause,
    });
  }
  return new UnsupportedModelError({ model: location, reason: `onnxruntime-web could not load ${modelFile} on ${executionProvider}: ${message}`, cause });
}

function checkOptions(options: WebBackendOptions): void {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({ argument: 'backend options', value: options, expected: 'an object' });
  }
  if (options.executionProvider !== undefined && !executionProviders.includes(options.executionProvider)) {
    throw new InvalidArgumentError({ argument: 'executionProvider', value: options.executionProvider, expected: '"wasm" or "webgpu"' });
  }
  const { numThreads } = options;
  if (numThreads !== undefined && (!Number.isInteger(numThreads) || numThreads < 1)) {
    throw new InvalidArgumentError({ argument: 'numThreads', value: numThreads, expected: 'an integer of at least 1' });
  }
  const { wasmPaths } = options;
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string' && (typeof wasmPaths !== 'object' || wasmPaths === null)) {
    throw new InvalidArgumentError({ argument: 'wasmPaths', value: wasmPaths, expected: 'a URL prefix ending in "/" or { wasm, mjs } URLs' });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
