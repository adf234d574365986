import { createFillMask } from '@fillmask/core';
import type { FillMask, FillMaskBackendV1 } from '@fillmask/core';
import type { WebBackendOptions, WebModelInfo } from './web-backend-options.js';
import { createWebBackend } from './create-web-backend.js';
import { serializeError } from './serialize-error.js';
import {
  connectMessageType,
  type ConnectMessage,
  type PageToWorkerMessage,
  type SettledMessage,
  type WorkerConfigMessage,
  type WorkerToPageMessage,
} from './worker-protocol.js';

/** Where the worker receives the page's connect messages: the worker's global scope by default. */
export interface MessageSource {
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

export interface ServeFillMaskOptions {
  /** Default: the worker's global scope (`self`). */
  readonly scope?: MessageSource;
  /**
   * Makes the backend from the options the page sent (with an `onLoad` to report what the model
   * runs on, and an `onDebug` that sends debug lines to the page when it passed one). Default
   * `createWebBackend`; pass your own to inject an onnxruntime-web you loaded.
   */
  readonly createBackend?: (options: WebBackendOptions) => FillMaskBackendV1;
}

/**
 * The worker side of `createWorkerFillMask`: call it once at the top of your worker module.
 * Returns a function that stops serving new connections.
 *
 * @example
 * // fill-mask-worker.ts, started with new Worker(new URL('./fill-mask-worker.ts', import.meta.url), { type: 'module' })
 * import { serveFillMask } from '@fillmask/backend-web';
 * serveFillMask();
 */
export function serveFillMask(options: ServeFillMaskOptions = {}): () => void {
  const scope = options.scope ?? (globalThis as unknown as MessageSource);
  const listener = (event: MessageEvent): void => {
    const message = event.data as Partial<ConnectMessage> | undefined;
    const port = event.ports?.[0];
    if (message?.type !== connectMessageType || port === undefined || message.config === undefined) return;
    void serveConnection(port, message.config, message.reportDebug === true, options.createBackend ?? createWebBackend);
  };
  scope.addEventListener('message', listener);
  return () => scope.removeEventListener('message', listener);
}

/** One fill-mask object, living in the worker for as long as the page keeps its port. */
async function serveConnection(
  port: MessagePort,
  config: WorkerConfigMessage,
  reportDebug: boolean,
  createBackend: (options: WebBackendOptions) => FillMaskBackendV1,
): Promise<void> {
  const send = (message: WorkerToPageMessage): void => port.postMessage(message);
  const calls = new Map<number, AbortController>();
  let fillMask: FillMask | undefined;
  let runtime: WebModelInfo | undefined;

  port.onmessage = (event: MessageEvent<PageToWorkerMessage>) => {
    const message = event.data;
    if (message.type === 'abort') {
      calls.get(message.callId)?.abort();
    } else if (message.type === 'dispose') {
      void (fillMask?.dispose() ?? Promise.resolve()).finally(() => {
        send({ type: 'disposed' });
        port.close();
      });
    } else if (message.type === 'fill' && fillMask !== undefined) {
      void runCall(fillMask, message);
    }
  };

  async function runCall(target: FillMask, message: Extract<PageToWorkerMessage, { type: 'fill' }>): Promise<void> {
    const { callId } = message;
    const controller = new AbortController();
    calls.set(callId, controller);
    const options = {
      ...message.options,
      signal: controller.signal,
      ...(message.reportProgress
        ? { onProgress: (progress: { completed: number; total: number }) => send({ type: 'fill-progress', callId, progress }) }
        : {}),
    };
    try {
      let value: Extract<WorkerToPageMessage, { type: 'fill-result' }>['value'];
      if (message.settled) {
        const settled = await target.fillSettled(message.input as readonly string[], options);
        value = settled.map(
          (slot): SettledMessage => (slot.status === 'fulfilled' ? slot : { status: 'rejected', reason: serializeError(slot.reason) }),
        );
      } else {
        value = typeof message.input === 'string' ? await target.fill(message.input, options) : await target.fill(message.input, options);
      }
      if (!controller.signal.aborted) send({ type: 'fill-result', callId, value });
    } catch (error) {
      if (!controller.signal.aborted) send({ type: 'fill-failed', callId, error: serializeError(error) });
    } finally {
      calls.delete(callId);
    }
  }

  try {
    const backend = createBackend({
      ...config.backendOptions,
      onLoad: (info) => (runtime = info),
      // Only when the page listens: no message per line otherwise.
      ...(reportDebug ? { onDebug: (message: string) => send({ type: 'debug', message }) } : {}),
    });
    fillMask = await createFillMask({
      ...config,
      backend,
      onProgress: (progress) => send({ type: 'download-progress', progress }),
      onWarning: (warning) => send({ type: 'warning', warning: { code: warning.code, message: warning.message, target: warning.target } }),
    });
    send({
      type: 'ready',
      info: { maskToken: fillMask.maskToken, maxLength: fillMask.maxLength, model: fillMask.model, backend: fillMask.backend, runtime },
    });
  } catch (error) {
    send({ type: 'create-failed', error: serializeError(error) });
    port.close();
  }
}
