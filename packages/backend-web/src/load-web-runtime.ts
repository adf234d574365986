import { BackendUnavailableError } from '@fillmask/core';
import type { OnnxWebRuntime, WebBackendOptions, WebExecutionProvider } from './web-backend-options.js';

/**
 * Loads onnxruntime-web when the first model is loaded, unless the caller supplied it: the WebAssembly
 * build for `wasm`, the WebGPU build for `webgpu`. Each build finds its `.wasm` file next to itself
 * (`new URL(..., import.meta.url)`), which bundlers turn into an asset of the app.
 */
export async function loadWebRuntime(
  runtime: WebBackendOptions['runtime'],
  executionProvider: WebExecutionProvider,
): Promise<OnnxWebRuntime> {
  if (typeof runtime === 'object' && runtime !== null) return runtime;
  try {
    const loaded: unknown =
      typeof runtime === 'function'
        ? await runtime(executionProvider)
        : executionProvider === 'webgpu'
          ? await import('onnxruntime-web/webgpu')
          : await import('onnxruntime-web/wasm');
    // A CommonJS build can arrive as the default export.
    const fallback = (loaded as { default?: OnnxWebRuntime }).default;
    return (loaded as Partial<OnnxWebRuntime>).InferenceSession ? (loaded as OnnxWebRuntime) : (fallback as OnnxWebRuntime);
  } catch (cause) {
    throw new BackendUnavailableError({
      backend: 'web',
      reason: `onnxruntime-web could not be loaded (${describe(cause)}); install it with npm install onnxruntime-web.`,
      cause,
    });
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
