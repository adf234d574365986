import type { DownloadProgress, MaskPredictions, ModelConfig, ModelDtype } from '@fillmask/core';
import type { WebModelInfo, WorkerBackendOptions } from '@fillmask/backend-web';

/** The functions the harness page puts on `window.harness` for the browser tests to call. */
export interface Harness {
  open(id: string, config: HarnessFillMaskConfig): Promise<Outcome<OpenedInfo>>;
  fill(id: string, input: string | string[], options?: HarnessFillOptions): Promise<Outcome<MaskPredictions[] | MaskPredictions[][]>>;
  fillSettled(id: string, inputs: unknown[], options?: HarnessFillOptions): Promise<Outcome<SettledSlot[]>>;
  /** Fills the inputs and aborts the call once `abortAfter` progress events have arrived. */
  fillAndAbort(id: string, inputs: string[], abortAfter: number): Promise<Outcome<{ progressEvents: number; abortReasonKept: boolean }>>;
  dispose(id: string): Promise<Outcome<null>>;
  /** The warnings the fill-mask object reported since the last call. */
  takeWarnings(id: string): Promise<string[]>;
  /** The backend's debug lines (opened with `debug: true`) since the last call. */
  takeDebugLines(id: string): Promise<string[]>;
  /** Fills the inputs while a timer ticks on the main thread; reports how regularly it ticked. */
  measureResponsiveness(id: string, inputs: string[], intervalMs: number): Promise<Outcome<Responsiveness>>;
  /** The backend alone, for the conformance suite run from Node. */
  loadBackendModel(
    id: string,
    request: BackendModelRequest,
  ): Promise<Outcome<{ vocabSize: number; batchInvariant: boolean | undefined; runtime: WebModelInfo | undefined }>>;
  runBackendModel(id: string, batch: PlainTokenBatch): Promise<Outcome<string>>;
  disposeBackendModel(id: string): Promise<Outcome<null>>;
  /** Core's model source alone: reads one file of a model, as createFillMask would. */
  readModelFile(
    model: string,
    options: HarnessSourceOptions,
    file: string,
  ): Promise<Outcome<{ byteLength: number; progress: DownloadProgress[] }>>;
  /** Whether a file exists, as the tokenizer loader asks it. */
  modelFileExists(model: string, options: HarnessSourceOptions, file: string): Promise<Outcome<boolean>>;
  /** URLs in the fillmask Cache API cache. */
  cachedUrls(): Promise<string[]>;
  clearModelCache(): Promise<boolean>;
}

export interface HarnessSourceOptions {
  readonly hubUrl?: string;
  readonly accessToken?: string;
  readonly revision?: string;
  readonly offline?: boolean;
}

export interface HarnessFillMaskConfig extends HarnessSourceOptions {
  readonly model: string;
  readonly dtype?: ModelDtype;
  readonly batchSize?: number;
  readonly maxBatchTokens?: number;
  readonly backendOptions?: WorkerBackendOptions;
  /** Run in a Web Worker (createWorkerFillMask) instead of on the page's main thread. */
  readonly worker?: boolean;
  /** With `worker`: the module to start; `broken` never serves (it throws while loading). */
  readonly workerModule?: 'serving' | 'broken';
  /** Pass an `onDebug` (to createWebBackend, or to createWorkerFillMask in worker mode) that keeps the lines for takeDebugLines. */
  readonly debug?: boolean;
}

export interface HarnessFillOptions {
  readonly topK?: number;
  readonly targets?: string | string[];
  readonly truncation?: boolean;
}

export interface OpenedInfo {
  readonly maskToken: string;
  readonly maxLength: number;
  readonly model: string;
  readonly backend: string;
  readonly runtime: WebModelInfo | undefined;
  readonly progress: DownloadProgress[];
}

/** An error as the page saw it, with whether the page's own fillmask classes recognise it. */
export interface HarnessError {
  readonly name: string;
  readonly message: string;
  readonly fields: Record<string, unknown>;
  readonly isFillMaskError: boolean;
  /** `<Class>.isInstance(error)` for the class its name designates; false for other errors. */
  readonly isInstanceOfItsClass: boolean;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: HarnessError };

export type SettledSlot =
  | { readonly status: 'fulfilled'; readonly value: MaskPredictions[] }
  | { readonly status: 'rejected'; readonly reason: HarnessError };

export interface Responsiveness {
  readonly durationMs: number;
  readonly ticks: number;
  readonly maxGapMs: number;
}

export interface BackendModelRequest {
  readonly model: string;
  readonly modelFile: string;
  readonly dtype: ModelDtype;
  readonly config: ModelConfig;
  readonly backendOptions?: WorkerBackendOptions;
}

export interface PlainTokenBatch {
  readonly batchSize: number;
  readonly sequenceLength: number;
  readonly inputIds: number[];
  readonly attentionMask: number[];
  readonly tokenTypeIds: number[];
  readonly positions: number[];
}

declare global {
  interface Window {
    harness: Harness;
  }
}
