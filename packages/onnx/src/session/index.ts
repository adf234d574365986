export { OnnxSessionModel } from './onnx-session-model.js';
export type { OnnxSessionModelOptions } from './onnx-session-model.js';
export type { Int64TensorFactory, OnnxSessionLike, OnnxTensorLike, OnnxValueMetadataLike } from './onnx-runtime-types.js';
export { SerialQueue } from './serial-queue.js';
export { externalDataFilePaths } from './external-data-files.js';
export { createFillMaskSessionModel, logGraphNotes } from './create-fill-mask-session-model.js';
export type { FillMaskSessionParts } from './create-fill-mask-session-model.js';
export { batchTokensForThreads } from './batch-tokens-for-threads.js';
