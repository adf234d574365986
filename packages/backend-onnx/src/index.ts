export { createOnnxBackend, createOnnxBackend as createBackend } from './create-onnx-backend.js';
export type { OnnxBackendOptions, OnnxRuntime } from './onnx-backend-options.js';
export { asksExactInt8Kernel, defaultSessionOptions } from './session-defaults.js';
export { fastInt8KernelSaturates } from './fast-int8-kernel-saturates.js';
