import { BackendUnavailableError, InvalidArgumentError } from '@fillmask/core';
import type { FillMaskConfig, FillMaskWarning } from '@fillmask/core';
import { reviveError } from './revive-error.js';
import { PortFillMask, type WorkerFillMask } from './worker-fill-mask.js';
import type { WasmPaths } from './web-backend-options.js';
import {
  connectMessageType,
  type ConnectMessage,
  type WorkerBackendOptions,
  type WorkerConfigMessage,
  type WorkerToPageMessage,
} from './worker-protocol.js';

/** The Worker, as far as this package uses it. */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
  removeEventListener(type: 'error' | 'messageerror', listener: (event: Event) => void): void;
}

/**
 * The config of `createWorkerFillMask`: FillMaskConfig for a model the worker fetches itself (a URL
 * or a Hub id: ModelFiles objects, tokenizers and custom fetch functions stay on their thread), with
 * the web backend's options that can cross to a worker. `onProgress`, `onWarning` and `onDebug` are called here.
 */
export interface WorkerFillMaskConfig extends Omit<FillMaskConfig, 'model' | 'backend' | 'backendOptions' | 'tokenizer' | 'fetch'> {
  /** A worker module that calls `serveFillMask()`. Several fill-mask objects may share one worker. */
  readonly worker: WorkerLike;
  /** A Hub id or the URL of a model folder; a relative URL is resolved against this page. */
  readonly model: string;
  readonly backendOptions?: WorkerBackendOptions;
  /**
   * Receives the worker backend's diagnostic lines (`onDebug` of the web backend), on this page: at
   * load and later, such as when the q8 batch variant is built. Default: none, and the worker sends none.
   */
  readonly onDebug?: (message: string) => void;
}

/**
 * Loads a model in a Web Worker and returns a FillMask that runs there: tokenization, inference and
 * ranking all happen off the main thread, so the page stays responsive through long batches.
 * `dispose()` frees the model; the worker itself is yours to terminate.
 *
 * @example
 * const worker = new Worker(new URL('./fill-mask-worker.ts', import.meta.url), { type: 'module' });
 * const fillMask = await createWorkerFillMask({ worker, model: '/models/bert/' });
 * const [predictions] = await fillMask.fill('Paris is the [MASK] of France.');
 */
export async function createWorkerFillMask(config: WorkerFillMaskConfig): Promise<WorkerFillMask> {
  if (typeof config !== 'object' || config === null || typeof config.worker?.postMessage !== 'function') {
    throw new InvalidArgumentError({ argument: 'worker', value: config?.worker, expected: 'a Worker whose module calls serveFillMask()' });
  }
  if (typeof config.model !== 'string' || config.model.trim() === '') {
    throw new InvalidArgumentError({ argument: 'model', value: config.model, expected: 'a Hub model id or the URL of a model folder' });
  }
  const { worker, onProgress, onWarning, onDebug, ...rest } = config;
  const message: ConnectMessage = {
    type: connectMessageType,
    config: toWorkerConfig(rest),
    ...(onDebug === undefined ? {} : { reportDebug: true }),
  };
  const channel = new MessageChannel();

  return new Promise<WorkerFillMask>((resolve, reject) => {
    const stopListening = (): void => {
      worker.removeEventListener('error', onWorkerError);
      worker.removeEventListener('messageerror', onWorkerError);
    };
    const onWorkerError = (event: Event): void => {
      stopListening();
      channel.port1.close();
      const detail = (event as ErrorEvent).message || 'the worker script could not be loaded or threw';
      reject(
        new BackendUnavailableError({
          backend: 'web',
          reason: `the fill-mask worker failed to start: ${detail}. Its module must call serveFillMask().`,
        }),
      );
    };
    worker.addEventListener('error', onWorkerError);
    worker.addEventListener('messageerror', onWorkerError);

    channel.port1.onmessage = (event: MessageEvent<WorkerToPageMessage>) => {
      const answer = event.data;
      if (answer.type === 'download-progress') {
        onProgress?.(answer.progress);
      } else if (answer.type === 'debug') {
        onDebug?.(answer.message);
      } else if (answer.type === 'create-failed') {
        stopListening();
        channel.port1.close();
        reject(reviveError(answer.error));
      } else if (answer.type === 'ready') {
        stopListening();
        // A worker that dies later fails the calls in flight instead of leaving them pending.
        const onCrash = (errorEvent: Event): void => fillMask.fail((errorEvent as ErrorEvent).message || 'it stopped');
        const fillMask = new PortFillMask(channel.port1, answer.info, onWarning ?? warnOnConsole, onDebug, () =>
          worker.removeEventListener('error', onCrash),
        );
        worker.addEventListener('error', onCrash);
        resolve(fillMask);
      }
    };
    try {
      worker.postMessage(message, [channel.port2]);
    } catch (cause) {
      stopListening();
      reject(
        new InvalidArgumentError({
          argument: 'config',
          value: rest,
          expected: `plain data that can be sent to a worker (${cause instanceof Error ? cause.message : String(cause)})`,
        }),
      );
    }
  });
}

/** The config as the worker needs it: functions dropped, relative URLs made absolute against this page (the worker's own URL differs). */
function toWorkerConfig(config: Omit<WorkerFillMaskConfig, 'worker' | 'onProgress' | 'onWarning' | 'onDebug'>): WorkerConfigMessage {
  const plain = Object.fromEntries(
    Object.entries(config).filter(([, value]) => typeof value !== 'function'),
  ) as unknown as WorkerConfigMessage;
  const model = isRelativeUrl(config.model) ? absolute(config.model) : config.model;
  const { backendOptions } = config;
  if (backendOptions?.wasmPaths === undefined) return { ...plain, model };
  return { ...plain, model, backendOptions: { ...backendOptions, wasmPaths: absoluteWasmPaths(backendOptions.wasmPaths) } };
}

function absoluteWasmPaths(wasmPaths: WasmPaths): WasmPaths {
  if (typeof wasmPaths === 'string') return absolute(wasmPaths);
  return Object.fromEntries(Object.entries(wasmPaths).map(([file, url]) => [file, absolute(String(url))]));
}

function isRelativeUrl(model: string): boolean {
  return model.startsWith('/') || model.startsWith('./') || model.startsWith('../');
}

function absolute(url: string): string {
  // Without a page (a worker polyfill in Node), there is nothing to resolve against: sent as given.
  const base = globalThis.location?.href;
  return base === undefined ? url : new URL(url, base).href;
}

function warnOnConsole(warning: FillMaskWarning): void {
  console.warn(`[fillmask] ${warning.message}`);
}
