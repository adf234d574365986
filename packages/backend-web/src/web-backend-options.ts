import type * as OrtWeb from 'onnxruntime-web';

export type OnnxWebRuntime = typeof OrtWeb;

/** `wasm` runs on the CPU in every browser; `webgpu` runs on the GPU where the browser has a WebGPU adapter. */
export type WebExecutionProvider = 'wasm' | 'webgpu';

/** A URL prefix ending in `/` under which onnxruntime-web's files are, or the URL of each file. */
export type WasmPaths = string | { readonly wasm?: string | URL; readonly mjs?: string | URL };

/** Options of `createWebBackend`. All optional: the defaults run on WebAssembly from the app's own origin. */
export interface WebBackendOptions {
  /** Default `wasm`. `webgpu` is opt-in: see `fallbackToWasm` for browsers without it. */
  readonly executionProvider?: WebExecutionProvider;
  /**
   * With `executionProvider: 'webgpu'`: when the browser has no WebGPU adapter, or WebGPU cannot
   * create the session, run on WebAssembly instead. Default false: loading the model rejects with
   * BackendUnavailableError saying why. `onLoad` tells which one runs.
   */
  readonly fallbackToWasm?: boolean;
  /**
   * Where onnxruntime-web's `.wasm` (and `.mjs`) files are served. Default: next to onnxruntime-web's
   * own module, which a bundler (Vite, webpack 5) copies into the app's assets and serves from the
   * app's origin. Set it when you serve the files yourself, e.g. `'/ort/'`. Never a CDN unless you
   * put one here. One value per page: the first model loaded fixes it for onnxruntime-web.
   */
  readonly wasmPaths?: WasmPaths;
  /**
   * WebAssembly threads. Default: half the logical cores, at most 4, when the page is cross-origin
   * isolated (threads need SharedArrayBuffer, which needs the COOP/COEP headers); else 1. A value
   * above 1 on a page that is not isolated runs on one thread. Fixed by the first model loaded.
   */
  readonly numThreads?: number;
  /**
   * Rewrite the graph at load time so the vocabulary projection runs only at the mask positions
   * (`gatherMaskRows` of `@fillmask/core/graph`, as the Node backend does): the graph then returns
   * one row of logits per mask instead of one per token, less work and far less memory. Default
   * true; a graph it does not recognise runs unchanged. Results are the same either way.
   */
  readonly maskRowsOnly?: boolean;
  /**
   * The runtime, or a function that loads it. Default: `import('onnxruntime-web/wasm')` or
   * `import('onnxruntime-web/webgpu')` on first use, so importing this package costs nothing until a
   * model is loaded, and a page that only uses WebAssembly never downloads the WebGPU build.
   */
  readonly runtime?: OnnxWebRuntime | ((executionProvider: WebExecutionProvider) => Promise<OnnxWebRuntime>);
  /** Told, for each model loaded, what it runs on. */
  readonly onLoad?: (info: WebModelInfo) => void;
  /**
   * Receives diagnostic lines, as the Node backend's `onDebug` does: why a graph was or was not
   * rewritten, the q8 batch variant when it is built, and why batches run input by input when that
   * variant does not load. Default: none.
   */
  readonly onDebug?: (message: string) => void;
}

/** What a loaded model runs on. */
export interface WebModelInfo {
  /** The execution provider the session runs on. */
  readonly executionProvider: WebExecutionProvider;
  /** The one asked for: `webgpu` with `executionProvider: 'wasm'` here means it fell back. */
  readonly requestedExecutionProvider: WebExecutionProvider;
  /** Why WebGPU was not used, when it fell back. */
  readonly fallbackReason?: string;
  /** WebAssembly threads onnxruntime-web runs with. */
  readonly numThreads: number;
  /** Whether the graph was rewritten to compute logits at the mask positions only (see `maskRowsOnly`). */
  readonly maskRowsOnly: boolean;
}
