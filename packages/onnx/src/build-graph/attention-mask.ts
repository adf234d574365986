import { ElementType } from '../graph/onnx-fields.js';
import type { GraphBuilder } from './graph-builder.js';

/**
 * The lowest float32, which transformers adds to the scores of padded keys (`(1 - mask) ·
 * torch.finfo(float32).min`): their softmax weight is exactly 0, so a padded batch gives every
 * input the answers it gets alone.
 */
export const float32Lowest = -3.4028234663852886e38;

/** `[batch, sequence]` int64 attention mask → `[batch, 1, 1, sequence]` additive float mask for the scores. */
export function additiveAttentionMask(builder: GraphBuilder, attentionMask: string): string {
  const scope = '/attention_mask';
  const expanded = builder.op(scope, 'Unsqueeze', [attentionMask, builder.int64Constant([1, 2])]);
  const asFloat = builder.op(scope, 'Cast', [expanded], { to: ElementType.float });
  const padding = builder.op(scope, 'Sub', [builder.floatConstant([1]), asFloat]);
  return builder.op(scope, 'Mul', [padding, builder.floatConstant([float32Lowest])]);
}
