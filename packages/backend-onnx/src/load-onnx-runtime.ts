import { BackendUnavailableError } from '@fillmask/core';
import type { OnnxBackendOptions, OnnxRuntime } from './onnx-backend-options.js';

/** Loads onnxruntime-node once, when the first model is loaded, unless the caller supplied it. */
export async function loadOnnxRuntime(runtime: OnnxBackendOptions['runtime']): Promise<OnnxRuntime> {
  if (typeof runtime === 'object' && runtime !== null) return runtime;
  try {
    const loaded: unknown = typeof runtime === 'function' ? await runtime() : await import('onnxruntime-node');
    // A CommonJS runtime can arrive as the default export when imported from ESM.
    const fallback = (loaded as { default?: OnnxRuntime }).default;
    return (loaded as Partial<OnnxRuntime>).InferenceSession ? (loaded as OnnxRuntime) : (fallback as OnnxRuntime);
  } catch (cause) {
    throw new BackendUnavailableError({
      backend: 'onnx',
      reason: 'onnxruntime-node could not be loaded; install it with npm install onnxruntime-node.',
      cause,
    });
  }
}
