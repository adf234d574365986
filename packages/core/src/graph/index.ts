export { prepareBatchGraph, prepareFillMaskGraphs } from './prepare-fill-mask-graphs.js';
export type { FillMaskGraphOptions, FillMaskGraphs, PreparedGraph } from './prepare-fill-mask-graphs.js';
export { gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
export type { MaskRowsOptions, MaskRowsRewrite } from './gather-mask-rows.js';
export { checkPerSequenceQuantization, quantizePerSequence } from './quantize-per-sequence.js';
export type { PerSequenceQuantization } from './quantize-per-sequence.js';
// Building blocks for graph edits and small test graphs.
export { encodeNode } from './onnx-node.js';
export { encodeValueInfo } from './onnx-value-info.js';
export { encodeMessageField, encodeStringField, encodeVarintField, concatBytes } from './protobuf-wire.js';
export { ElementType, GraphField, ModelField } from './onnx-fields.js';
