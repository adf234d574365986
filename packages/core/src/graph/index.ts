export { gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
export type { MaskRowsRewrite } from './gather-mask-rows.js';
// Building blocks for graph edits and small test graphs.
export { encodeNode } from './onnx-node.js';
export { encodeValueInfo } from './onnx-value-info.js';
export { encodeMessageField, encodeStringField, encodeVarintField, concatBytes } from './protobuf-wire.js';
export { ElementType, GraphField, ModelField } from './onnx-fields.js';
