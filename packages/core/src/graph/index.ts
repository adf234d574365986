export { prepareBatchGraph, prepareFillMaskGraphs } from './prepare-fill-mask-graphs.js';
export type { FillMaskGraphOptions, FillMaskGraphs, PreparedGraph } from './prepare-fill-mask-graphs.js';
export { computedFromMaskRows, gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
export type { MaskRowsOptions, MaskRowsRewrite } from './gather-mask-rows.js';
export { productsAsPointwiseConvolutions } from './products-as-pointwise-convolutions.js';
export type { PointwiseConvolutionRewrite, PointwiseConvolutionScope } from './products-as-pointwise-convolutions.js';
export { checkPerSequenceQuantization, quantizePerSequence } from './quantize-per-sequence.js';
export type { PerSequenceQuantization } from './quantize-per-sequence.js';
// Building blocks for reading and editing graphs, and for small test graphs.
export { readOnnxModel } from './onnx-model.js';
export type { OnnxModelView } from './onnx-model.js';
export { readInitializers } from './onnx-initializer.js';
export type { OnnxInitializer } from './onnx-initializer.js';
export type { OnnxNode } from './onnx-node.js';
export { encodeNode } from './onnx-node.js';
export { encodeValueInfo } from './onnx-value-info.js';
export { encodeMessageField, encodeStringField, encodeVarintField, concatBytes } from './protobuf-wire.js';
export { ElementType, GraphField, ModelField } from './onnx-fields.js';
