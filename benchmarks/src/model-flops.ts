import type { ProductsPerRow } from './graph-products.js';

/** The sizes of a BERT-family encoder that decide its attention's arithmetic, from config.json. */
export interface EncoderShape {
  readonly layers: number;
  readonly hidden: number;
}

export function encoderShape(config: Record<string, unknown>): EncoderShape {
  return { layers: Number(config.num_hidden_layers), hidden: Number(config.hidden_size) };
}

/** Inputs run together, padded to one length. */
export interface PaddedBatch {
  readonly rows: number;
  readonly length: number;
}

/**
 * Floating-point operations (2 per multiply-add) of one padded batch whose inputs hold one mask each:
 * the graph's products with constant weights (`productsPerRow`) at every position or at the masks
 * only, and each layer's attention (scores and weighted values, 2 × length × hidden per position).
 * Padding positions count: the libraries compute them. Layer norms, softmax and activations are left
 * out (a few operations per value against hundreds per value in the products).
 */
export function batchFlops(shape: EncoderShape, products: ProductsPerRow, batch: PaddedBatch): number {
  const positions = batch.rows * batch.length;
  return 2 * (positions * (products.everyPosition + attentionMultiplyAdds(shape, batch.length)) + batch.rows * products.masksOnly);
}

/** Multiply-adds of every layer's attention per position of an input `length` long: its scores and its weighted values. */
export function attentionMultiplyAdds(shape: EncoderShape, length: number): number {
  return shape.layers * 2 * length * shape.hidden;
}

/** Cuts `lengths`, in the order given, into batches of `size` padded to their longest. */
export function paddedBatches(lengths: readonly number[], size: number): PaddedBatch[] {
  const batches: PaddedBatch[] = [];
  for (let start = 0; start < lengths.length; start += size) {
    const batch = lengths.slice(start, start + size);
    batches.push({ rows: batch.length, length: Math.max(...batch) });
  }
  return batches;
}
