import { createFillMask, type DownloadProgress, type FillMask, type ModelDtype } from '@fillmask/core';
import { createWebBackend, createWorkerFillMask, type WebExecutionProvider, type WebModelInfo } from '@fillmask/backend-web';

export interface FillMaskSettings {
  readonly model: string;
  readonly dtype: ModelDtype;
  readonly executionProvider: WebExecutionProvider;
  readonly useWorker: boolean;
}

export interface OpenedFillMask {
  readonly fillMask: FillMask;
  readonly runtime: WebModelInfo | undefined;
  /** Ends the worker too, when there is one. */
  close(): Promise<void>;
}

/**
 * One fill-mask object for the chosen settings: in a Web Worker (the page stays responsive while
 * it runs) or on the main thread. WebGPU falls back to WebAssembly where the browser has none.
 */
export async function openFillMask(settings: FillMaskSettings, onProgress: (progress: DownloadProgress) => void): Promise<OpenedFillMask> {
  const backendOptions = { executionProvider: settings.executionProvider, fallbackToWasm: true };
  if (settings.useWorker) {
    const worker = new Worker(new URL('./fill-mask-worker.ts', import.meta.url), { type: 'module' });
    try {
      const fillMask = await createWorkerFillMask({ worker, model: settings.model, dtype: settings.dtype, backendOptions, onProgress });
      const close = async (): Promise<void> => {
        await fillMask.dispose();
        worker.terminate();
      };
      return { fillMask, runtime: fillMask.runtime, close };
    } catch (error) {
      worker.terminate();
      throw error;
    }
  }
  let runtime: WebModelInfo | undefined;
  const backend = createWebBackend({ ...backendOptions, onLoad: (info) => (runtime = info) });
  const fillMask = await createFillMask({ model: settings.model, dtype: settings.dtype, backend, onProgress });
  return { fillMask, runtime, close: () => fillMask.dispose() };
}
