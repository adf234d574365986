import {
  BackendUnavailableError,
  createFillMask,
  DisposedError,
  FillMaskError,
  HubRequestError,
  InferenceError,
  InputTooLongError,
  InvalidArgumentError,
  MissingMaskError,
  ModelFileNotFoundError,
  openModel,
  UnsupportedModelError,
  type BackendModelV1,
  type DownloadProgress,
  type FillMask,
  type MaskPredictions,
} from '@fillmask/core';
import { createWebBackend, createWorkerFillMask, type WebModelInfo } from '@fillmask/backend-web';
import type { Harness, HarnessError, Outcome } from './harness-api.js';

const classes: Record<string, { isInstance(error: unknown): boolean }> = {
  FillMask_InvalidArgumentError: InvalidArgumentError,
  FillMask_MissingMaskError: MissingMaskError,
  FillMask_InputTooLongError: InputTooLongError,
  FillMask_UnsupportedModelError: UnsupportedModelError,
  FillMask_ModelFileNotFoundError: ModelFileNotFoundError,
  FillMask_HubRequestError: HubRequestError,
  FillMask_BackendUnavailableError: BackendUnavailableError,
  FillMask_InferenceError: InferenceError,
  FillMask_DisposedError: DisposedError,
};

function describeError(error: unknown): HarnessError {
  const fields: Record<string, unknown> = {};
  if (typeof error === 'object' && error !== null) {
    for (const [key, value] of Object.entries(error))
      if (key !== 'cause' && key !== 'name' && key !== 'message') fields[key] = plain(value);
  }
  const name = (error as Error)?.name ?? 'Error';
  return {
    name,
    message: (error as Error)?.message ?? String(error),
    fields,
    isFillMaskError: FillMaskError.isInstance(error),
    isInstanceOfItsClass: Object.hasOwn(classes, name) ? classes[name].isInstance(error) : false,
  };
}

function plain(value: unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(value ?? null));
  } catch {
    return String(value);
  }
}

async function outcome<T>(run: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: describeError(error) };
  }
}

const fillMasks = new Map<string, FillMask>();
const warningsById = new Map<string, string[]>();
const debugLinesById = new Map<string, string[]>();
const workers = new Map<string, Worker>();
const backendModels = new Map<string, BackendModelV1>();

function fillMaskOf(id: string): FillMask {
  const fillMask = fillMasks.get(id);
  if (fillMask === undefined) throw new Error(`No fill-mask object ${id} was opened`);
  return fillMask;
}

function startWorker(module: 'serving' | 'broken' | undefined): Worker {
  return module === 'broken'
    ? new Worker(new URL('./broken-worker.ts', import.meta.url), { type: 'module' })
    : new Worker(new URL('./harness-worker.ts', import.meta.url), { type: 'module' });
}

function toBase64(bytes: Uint8Array): string {
  let text = '';
  for (let offset = 0; offset < bytes.length; offset += 0x8000) text += String.fromCharCode(...bytes.subarray(offset, offset + 0x8000));
  return btoa(text);
}

const harness: Harness = {
  open: (id, config) =>
    outcome(async () => {
      const progress: DownloadProgress[] = [];
      const warnings: string[] = [];
      warningsById.set(id, warnings);
      const debugLines: string[] = [];
      debugLinesById.set(id, debugLines);
      const { worker: inWorker, workerModule, backendOptions, debug, ...rest } = config;
      const onDebug = debug ? (line: string) => debugLines.push(line) : undefined;
      const common = {
        ...rest,
        onProgress: (event: DownloadProgress) => progress.push(event),
        onWarning: (warning: { message: string }) => warnings.push(warning.message),
      };
      let fillMask: FillMask;
      let runtime: WebModelInfo | undefined;
      if (inWorker) {
        const worker = startWorker(workerModule);
        workers.set(id, worker);
        const workerFillMask = await createWorkerFillMask({ ...common, worker, backendOptions, onDebug });
        runtime = workerFillMask.runtime;
        fillMask = workerFillMask;
      } else {
        const backend = createWebBackend({ ...backendOptions, onLoad: (info) => (runtime = info), onDebug });
        fillMask = await createFillMask({ ...common, backend });
      }
      fillMasks.set(id, fillMask);
      return {
        maskToken: fillMask.maskToken,
        maxLength: fillMask.maxLength,
        model: fillMask.model,
        backend: fillMask.backend,
        runtime,
        progress,
      };
    }),

  takeWarnings: async (id) => warningsById.get(id)?.splice(0) ?? [],

  takeDebugLines: async (id) => debugLinesById.get(id)?.splice(0) ?? [],

  fill: (id, input, options) =>
    outcome<MaskPredictions[] | MaskPredictions[][]>(() =>
      typeof input === 'string' ? fillMaskOf(id).fill(input, options) : fillMaskOf(id).fill(input, options),
    ),

  fillSettled: (id, inputs, options) =>
    outcome(async () => {
      const settled = await fillMaskOf(id).fillSettled(inputs as string[], options);
      return settled.map((slot) =>
        slot.status === 'fulfilled' ? slot : { status: 'rejected' as const, reason: describeError(slot.reason) },
      );
    }),

  fillAndAbort: (id, inputs, abortAfter) =>
    outcome(async () => {
      const controller = new AbortController();
      const reason = new Error('stopped by the test');
      let progressEvents = 0;
      const call = fillMaskOf(id).fill(inputs, {
        signal: controller.signal,
        onProgress: () => {
          progressEvents += 1;
          if (progressEvents === abortAfter) controller.abort(reason);
        },
      });
      const caught = await call.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (caught === undefined) throw new Error('the call was not aborted');
      return { progressEvents, abortReasonKept: caught === reason };
    }),

  dispose: (id) =>
    outcome(async () => {
      await fillMaskOf(id).dispose();
      workers.get(id)?.terminate();
      return null;
    }),

  measureResponsiveness: (id, inputs, intervalMs) =>
    outcome(async () => {
      const fillMask = fillMaskOf(id);
      let last = performance.now();
      let maxGapMs = 0;
      let ticks = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        maxGapMs = Math.max(maxGapMs, now - last);
        last = now;
        ticks += 1;
      }, intervalMs);
      const started = performance.now();
      try {
        await fillMask.fill(inputs);
      } finally {
        clearInterval(timer);
      }
      const durationMs = performance.now() - started;
      // The time since the last tick counts too: a thread blocked until the end would not show otherwise.
      maxGapMs = Math.max(maxGapMs, performance.now() - last);
      return { durationMs, ticks, maxGapMs };
    }),

  loadBackendModel: (id, request) =>
    outcome(async () => {
      let runtime: WebModelInfo | undefined;
      const backend = createWebBackend({ ...request.backendOptions, onLoad: (info) => (runtime = info) });
      const files = await openModel(request.model);
      const model = await backend.loadModel({ files, config: request.config, dtype: request.dtype, modelFile: request.modelFile });
      backendModels.set(id, model);
      return { vocabSize: model.vocabSize, batchInvariant: model.batchInvariant, runtime };
    }),

  runBackendModel: (id, batch) =>
    outcome(async () => {
      const model = backendModels.get(id);
      if (model === undefined) throw new Error(`No backend model ${id} was loaded`);
      const { logits } = await model.run({
        batchSize: batch.batchSize,
        sequenceLength: batch.sequenceLength,
        inputIds: Int32Array.from(batch.inputIds),
        attentionMask: Int32Array.from(batch.attentionMask),
        tokenTypeIds: Int32Array.from(batch.tokenTypeIds),
        positions: Int32Array.from(batch.positions),
      });
      return toBase64(new Uint8Array(logits.buffer, logits.byteOffset, logits.byteLength));
    }),

  disposeBackendModel: (id) =>
    outcome(async () => {
      await backendModels.get(id)?.dispose();
      return null;
    }),

  readModelFile: (model, options, file) =>
    outcome(async () => {
      const progress: DownloadProgress[] = [];
      const files = await openModel(model, { ...options, onProgress: (event) => progress.push(event) });
      const bytes = await files.read(file);
      return { byteLength: bytes.byteLength, progress };
    }),

  modelFileExists: (model, options, file) => outcome(async () => (await openModel(model, options)).exists(file)),

  cachedUrls: async () => {
    const cache = await caches.open('fillmask-models');
    return (await cache.keys()).map((request) => request.url);
  },

  clearModelCache: () => caches.delete('fillmask-models'),
};

window.harness = harness;
document.querySelector('#state')!.textContent = 'ready';
