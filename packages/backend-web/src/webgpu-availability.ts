/** The slice of the WebGPU API this package touches (TypeScript's DOM library does not declare it). */
interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/**
 * Why WebGPU cannot run here, or undefined when an adapter is available. Asked before onnxruntime-web
 * is loaded, so a browser without WebGPU costs no download of the WebGPU build.
 */
export async function webGpuUnavailableReason(): Promise<string | undefined> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (gpu === undefined) {
    return 'this browser has no WebGPU (navigator.gpu is undefined: the browser does not support it, or the page is not a secure context)';
  }
  try {
    if ((await gpu.requestAdapter()) === null) return 'the browser found no WebGPU adapter (navigator.gpu.requestAdapter() returned null)';
  } catch (error) {
    return `requesting a WebGPU adapter failed: ${error instanceof Error ? error.message : String(error)}`;
  }
  return undefined;
}
