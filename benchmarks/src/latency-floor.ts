import type { WeightProduct } from './graph-products.js';
import type { EncoderShape } from './model-flops.js';

/** The machine's ceilings, measured by the same run (`hardware-ceilings.ts`). */
export interface MachineCeilings {
  readonly gemmGflops: number;
  readonly weightStreamingGBps: number;
}

/**
 * A lower bound on one fp32 forward pass over one input of `tokens` positions with one mask: each
 * weight product takes at least the longer of its arithmetic at the GEMM ceiling and the reading of
 * its fp32 weights at the streaming ceiling (a product cannot start before the one it depends on
 * ends, so the bounds add up), plus the attention's arithmetic. Everything else (layer norms,
 * softmax, activations, the runtime's own overhead) counts as free, so no graph runs this fast; how
 * far a library stays above it is how far it is from what the machine allows for that graph.
 */
export function latencyFloorMs(products: readonly WeightProduct[], shape: EncoderShape, tokens: number, ceilings: MachineCeilings): number {
  const flopsPerMs = ceilings.gemmGflops * 1e6;
  const bytesPerMs = ceilings.weightStreamingGBps * 1e6;
  let floor = (shape.layers * 2 * 2 * tokens * tokens * shape.hidden) / flopsPerMs;
  for (const product of products) {
    const rows = product.atMasks ? 1 : tokens;
    floor += Math.max((2 * rows * product.values) / flopsPerMs, (4 * product.values) / bytesPerMs);
  }
  return floor;
}
