import { ElementType } from '@fillmask/onnx';
import type { WeightProduct } from './graph-products.js';
import { attentionMultiplyAdds, type EncoderShape } from './model-flops.js';

/** The machine's ceilings as a run measured them (`hardware-ceilings.ts`). */
export interface MachineCeilings {
  readonly gemmGflops: number;
  readonly weightStreamingGBps: number;
}

/**
 * A lower bound on one forward pass over one input of `tokens` positions with `masks` masks, at the
 * ceilings given: each weight product takes at least the longer of its arithmetic at the GEMM rate
 * and the reading of its fp32 weights at the streaming rate, and onnxruntime's CPU provider runs a
 * graph's ops one after another, so these add up; the attention's arithmetic is added at the GEMM
 * rate. Everything else (layer norms, softmax, activations, the runtime's own overhead) counts as
 * free. Weights read again by several products (ALBERT's shared layers) count at each read, which
 * only cached weights would beat. Undefined unless every weight is fp32: int8 products have other
 * ceilings.
 */
export function latencyFloorMs(
  products: readonly WeightProduct[],
  shape: EncoderShape,
  tokens: number,
  ceilings: MachineCeilings,
  masks = 1,
): number | undefined {
  if (products.some((product) => product.elementType !== ElementType.float)) return undefined;
  const flopsPerMs = ceilings.gemmGflops * 1e6;
  const bytesPerMs = ceilings.weightStreamingGBps * 1e6;
  let floor = (2 * tokens * attentionMultiplyAdds(shape, tokens)) / flopsPerMs;
  for (const product of products) {
    const rows = product.atMasks ? masks : tokens;
    floor += Math.max((2 * rows * product.values) / flopsPerMs, (4 * product.values) / bytesPerMs);
  }
  return floor;
}
