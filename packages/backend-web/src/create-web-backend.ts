import { BackendUnavailableError, InvalidArgumentError, UnsupportedModelError } from '@fillmask/core';
import { buildGraphFromFiles, createFillMaskSessionModel, logGraphNotes, prepareBatchGraph, prepareFillMaskGraphs } from '@fillmask/onnx';
import type { LoadModelRequestV1, ModelBackendV1 } from '@fillmask/core';
import type * as OrtWeb from 'onnxruntime-web';
import type { OnnxWebRuntime, WebBackendOptions, WebExecutionProvider } from './web-backend-options.js';
import { configureWasmEnvironment, defaultThreadCount } from './configure-wasm-environment.js';
import { loadWebRuntime } from './load-web-runtime.js';
import { readGraphFiles, type GraphFiles } from './graph-by-reference.js';
import { externalDataReaderOver } from './read-external-data.js';
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
    buildsFromWeights: true,
    async loadModel(request: LoadModelRequestV1) {
      const { files, config, modelFile } = request;
      let executionProvider = requested;
      let fallbackReason: string | undefined;
      if (requested === 'webgpu') {
        fallbackReason = await webGpuUnavailableReason();
        if (fallbackReason !== undefined) {
          if (!options.fallbackToWasm) throw webGpuUnavailable(fallbackReason);
          executionProvider = 'wasm';
        }
      }
      const debug = options.onDebug ?? (() => undefined);
      // A model with weights only (no ONNX export) has its graph built here, in memory, every weight in it (no external data).
      const fromWeights = request.modelFormat === 'weights';
      if (fromWeights) debug(`fillmask: ${files.location} has no ONNX export: its graph is built from ${modelFile} in memory`);
      const readGraph = () => (fromWeights ? buildGraphFromFiles(request) : files.read(modelFile));
      // The file's bytes are held only until onnxruntime has copied the weights out of them (see readGraphFiles).
      let source: GraphFiles | undefined = await readGraphFiles(files, modelFile, await readGraph());
      // Only the mask rows' logits are ever read: project only those when the graph allows it.
      const graphs = prepareFillMaskGraphs(source.model, {
        maskRowsOnly: options.maskRowsOnly,
        readExternalData: externalDataReaderOver(source.externalData),
      });
      logGraphNotes(debug, modelFile, graphs.notes);
      const positionsInput = graphs.single.positionsInput;
      const subject = { location: files.location, modelFile };
      const opened = await openSession(options, { ...source, model: graphs.single.model ?? source.model }, executionProvider, subject);
      // onnxruntime holds its own copy now.
      source = undefined;
      const loaded = await createFillMaskSessionModel({
        request: { files, config, modelFile },
        backendName: 'web',
        session: opened.session,
        createInt64Tensor: (data, dims) => new opened.runtime.Tensor('int64', data, dims),
        graphs,
        openBatchGraph: async () => {
          const batchSource = await readGraphFiles(files, modelFile, await readGraph());
          const { graph: batch, note } = prepareBatchGraph(batchSource.model, {
            maskRowsOnly: options.maskRowsOnly,
            readExternalData: externalDataReaderOver(batchSource.externalData),
          });
          logGraphNotes(debug, modelFile, [note]);
          const session = await createSession(opened.runtime, { ...batchSource, model: batch.model }, opened.executionProvider).catch(
            (cause: unknown) => {
              throw sessionError(cause, subject, opened.executionProvider);
            },
          );
          return { session, positionsInput: batch.positionsInput };
        },
        debug,
        // WebAssembly runs on the CPU's threads as onnxruntime-node does; a GPU keeps core's default budget.
        threads: opened.executionProvider === 'wasm' ? (opened.runtime.env.wasm.numThreads ?? 1) : undefined,
      });
      fallbackReason = opened.fallbackReason ?? fallbackReason;
      options.onLoad?.({
        executionProvider: opened.executionProvider,
        requestedExecutionProvider: requested,
        ...(fallbackReason === undefined ? {} : { fallbackReason }),
        numThreads: opened.runtime.env.wasm.numThreads ?? 1,
        maskRowsOnly: positionsInput !== undefined,
      });
      return loaded;
    },
  };
}

interface OpenedSession {
  readonly runtime: OnnxWebRuntime;
  readonly session: OrtWeb.InferenceSession;
  readonly executionProvider: WebExecutionProvider;
  /** Set when WebGPU had an adapter but could not create the session, and wasm runs it instead. */
  readonly fallbackReason?: string;
}

/** A session on the execution provider, or on wasm when WebGPU fails to create it and fallbackToWasm allows. */
async function openSession(
  options: WebBackendOptions,
  model: GraphFiles,
  executionProvider: WebExecutionProvider,
  subject: { location: string; modelFile: string },
): Promise<OpenedSession> {
  const runtime = await prepareRuntime(options, executionProvider);
  try {
    return { runtime, session: await createSession(runtime, model, executionProvider), executionProvider };
  } catch (cause) {
    if (executionProvider !== 'webgpu' || !options.fallbackToWasm) throw sessionError(cause, subject, executionProvider);
    const wasmRuntime = await prepareRuntime(options, 'wasm');
    const session = await createSession(wasmRuntime, model, 'wasm').catch((wasmCause: unknown) => {
      throw sessionError(wasmCause, subject, 'wasm');
    });
    return {
      runtime: wasmRuntime,
      session,
      executionProvider: 'wasm',
      fallbackReason: `WebGPU could not create the session: ${describe(cause)}`,
    };
  }
}

async function prepareRuntime(options: WebBackendOptions, executionProvider: WebExecutionProvider): Promise<OnnxWebRuntime> {
  const runtime = await loadWebRuntime(options.runtime, executionProvider);
  configureWasmEnvironment(runtime, { wasmPaths: options.wasmPaths, numThreads: options.numThreads ?? defaultThreadCount() });
  return runtime;
}

function createSession(
  runtime: OnnxWebRuntime,
  { model, externalData }: GraphFiles,
  executionProvider: WebExecutionProvider,
): Promise<OrtWeb.InferenceSession> {
  return runtime.InferenceSession.create(model, {
    executionProviders: [executionProvider],
    graphOptimizationLevel: 'all',
    ...(externalData.length > 0 && { externalData }),
  });
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
function sessionError(
  cause: unknown,
  { location, modelFile }: { location: string; modelFile: string },
  executionProvider: WebExecutionProvider,
): Error {
  const message = describe(cause);
  if (message.includes('no available backend found')) {
    return new BackendUnavailableError({
      backend: 'web',
      reason: `onnxruntime-web could not start on ${executionProvider} (${message}). Check that its .wasm files are served (see the wasmPaths option).`,
      cause,
    });
  }
  return new UnsupportedModelError({
    model: location,
    reason: `onnxruntime-web could not load ${modelFile} on ${executionProvider}: ${message}`,
    cause,
  });
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
    throw new InvalidArgumentError({
      argument: 'wasmPaths',
      value: wasmPaths,
      expected: 'a URL prefix ending in "/" or { wasm, mjs } URLs',
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
