import type { OnnxWebRuntime, WasmPaths } from './web-backend-options.js';

/** Environments already set: onnxruntime-web reads them once, when its WebAssembly starts. */
const configured = new WeakSet<object>();

/**
 * Sets onnxruntime-web's WebAssembly options before its first session: the thread count, where its
 * files are, and no proxy worker of its own (this package has its worker mode, which moves
 * tokenization and ranking off the main thread too).
 */
export function configureWasmEnvironment(
  runtime: OnnxWebRuntime,
  settings: { wasmPaths: WasmPaths | undefined; numThreads: number },
): void {
  if (configured.has(runtime.env)) return;
  configured.add(runtime.env);
  const wasm = runtime.env.wasm;
  wasm.numThreads = settings.numThreads;
  wasm.proxy = false;
  const { wasmPaths } = settings;
  if (typeof wasmPaths === 'string') {
    wasm.wasmPaths = wasmPaths;
  } else if (wasmPaths !== undefined) {
    wasm.wasmPaths = {
      ...(wasmPaths.wasm === undefined ? {} : { wasm: String(wasmPaths.wasm) }),
      ...(wasmPaths.mjs === undefined ? {} : { mjs: String(wasmPaths.mjs) }),
    };
  }
}

/**
 * Threads by default: half the logical cores, at most 4 (the page keeps the rest), when the page is
 * cross-origin isolated; one otherwise, since WebAssembly threads need SharedArrayBuffer.
 */
export function defaultThreadCount(): number {
  if (globalThis.crossOriginIsolated !== true) return 1;
  const cores = globalThis.navigator?.hardwareConcurrency || 1;
  return Math.min(4, Math.ceil(cores / 2));
}
