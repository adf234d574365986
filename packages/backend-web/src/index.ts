export { createWebBackend, createWebBackend as createBackend } from './create-web-backend.js';
export type { WebBackendOptions, WebExecutionProvider, WebModelInfo, WasmPaths, OnnxWebRuntime } from './web-backend-options.js';
export { createWorkerFillMask } from './create-worker-fill-mask.js';
export type { WorkerFillMaskConfig, WorkerLike } from './create-worker-fill-mask.js';
export type { WorkerFillMask } from './worker-fill-mask.js';
export type { WorkerBackendOptions } from './worker-protocol.js';
export { serveFillMask } from './serve-fill-mask.js';
export type { ServeFillMaskOptions, MessageSource } from './serve-fill-mask.js';
