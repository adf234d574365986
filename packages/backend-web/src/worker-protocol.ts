import type { DownloadProgress, FillMaskConfig, FillMaskWarning, FillOptions, FillProgress, MaskPredictions } from '@fillmask/core';
import type { SerializedError } from './serialize-error.js';
import type { WebBackendOptions, WebModelInfo } from './web-backend-options.js';

/**
 * The messages between `createWorkerFillMask` (the page) and `serveFillMask` (the worker). The page
 * posts one `connect` message to the worker with a MessagePort; everything else goes over that port,
 * so one worker can serve several fill-mask objects and keep its other messages to itself.
 */
export const connectMessageType = 'fillmask:connect';

/** The part of WebBackendOptions that can cross to a worker: no functions, no runtime module. */
export type WorkerBackendOptions = Pick<
  WebBackendOptions,
  'executionProvider' | 'fallbackToWasm' | 'wasmPaths' | 'numThreads' | 'maskRowsOnly'
>;

/** The config as sent: FillMaskConfig without its functions and objects, the model as an absolute URL or Hub id. */
export type WorkerConfigMessage = Omit<
  FillMaskConfig,
  'model' | 'backend' | 'backendOptions' | 'tokenizer' | 'fetch' | 'onProgress' | 'onWarning'
> & {
  readonly model: string;
  readonly backendOptions?: WorkerBackendOptions;
};

export interface ConnectMessage {
  readonly type: typeof connectMessageType;
  readonly config: WorkerConfigMessage;
  /** The page has an `onDebug`: the worker's backend reports its debug lines as `debug` messages. Otherwise none are sent. */
  readonly reportDebug?: boolean;
}

/** A fill call: `options` without `signal` and `onProgress`, which stay in the page. */
export type WorkerFillOptions = Omit<FillOptions, 'signal' | 'onProgress'>;

export type PageToWorkerMessage =
  | {
      readonly type: 'fill';
      readonly callId: number;
      readonly settled: boolean;
      readonly input: string | readonly string[];
      readonly options: WorkerFillOptions;
      readonly reportProgress: boolean;
    }
  | { readonly type: 'abort'; readonly callId: number }
  | { readonly type: 'dispose' };

/** What the page learns about the fill-mask object once the worker has loaded it. */
export interface WorkerFillMaskInfo {
  readonly maskToken: string;
  readonly maxLength: number;
  readonly model: string;
  readonly backend: string;
  readonly runtime: WebModelInfo | undefined;
}

export type WorkerToPageMessage =
  | { readonly type: 'ready'; readonly info: WorkerFillMaskInfo }
  | { readonly type: 'create-failed'; readonly error: SerializedError }
  | { readonly type: 'download-progress'; readonly progress: DownloadProgress }
  | { readonly type: 'warning'; readonly warning: FillMaskWarning }
  // Before `ready` (load-time notes) and after it (the q8 batch variant, built at the first batch of several inputs).
  | { readonly type: 'debug'; readonly message: string }
  | { readonly type: 'fill-progress'; readonly callId: number; readonly progress: FillProgress }
  | { readonly type: 'fill-result'; readonly callId: number; readonly value: MaskPredictions[] | MaskPredictions[][] | SettledMessage[] }
  | { readonly type: 'fill-failed'; readonly callId: number; readonly error: SerializedError }
  | { readonly type: 'disposed' };

/** A fillSettled slot, its error serialized. */
export type SettledMessage =
  | { readonly status: 'fulfilled'; readonly value: MaskPredictions[] }
  | { readonly status: 'rejected'; readonly reason: SerializedError };
