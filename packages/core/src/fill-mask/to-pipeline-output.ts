import type { MaskPredictions, Prediction } from './prediction.js';

/**
 * The shape Python's `pipeline("fill-mask")` and the Hugging Face Inference API return for one
 * input: a flat list for one mask, a list of lists for several.
 */
export function toPipelineOutput(masks: readonly MaskPredictions[]): Prediction[] | Prediction[][] {
  return masks.length === 1 ? masks[0] : [...masks];
}
