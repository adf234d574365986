export { gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
export type { MaskRowsRewrite } from './gather-mask-rows.js';
