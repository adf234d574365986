/** The sizes of a BERT-family encoder that decide its arithmetic, from config.json. */
export interface EncoderShape {
  readonly layers: number;
  readonly hidden: number;
  readonly intermediate: number;
  readonly vocab: number;
  /** ALBERT's factorised embedding width; the hidden size elsewhere. */
  readonly embedding: number;
}

export function encoderShape(config: Record<string, unknown>): EncoderShape {
  const hidden = Number(config.hidden_size);
  return {
    layers: Number(config.num_hidden_layers),
    hidden,
    intermediate: Number(config.intermediate_size),
    vocab: Number(config.vocab_size),
    embedding: Number(config.embedding_size ?? hidden),
  };
}

/** Inputs run together, padded to one length. */
export interface PaddedBatch {
  readonly rows: number;
  readonly length: number;
}

/**
 * From where on a graph computes the mask rows only:
 * - `none`: the unmodified graph, every op at every position;
 * - `projection`: the vocabulary projection (fillmask's rewrite of an int8 graph, where the dynamic
 *   quantization of whole tensors stops the cut);
 * - `last-layer-output`: the last layer's attention output, its feed-forward block, the head's
 *   transform and the projection (fillmask's rewrite of an fp32 graph; see `gatherMaskRows`).
 */
export type MaskRowsCut = 'none' | 'projection' | 'last-layer-output';

/**
 * Floating-point operations (2 per multiply-add) of one padded batch whose inputs hold one mask
 * each. Padding positions count: the libraries compute them. Layer norms, softmax and activations are
 * left out (a few operations per value against hundreds per value in the products).
 */
export function batchFlops(shape: EncoderShape, batch: PaddedBatch, cut: MaskRowsCut): number {
  const { layers, hidden, intermediate, vocab, embedding } = shape;
  const tokens = batch.rows * batch.length;
  const masks = batch.rows;
  const embeddingMapping = embedding === hidden ? 0 : embedding * hidden;
  // Per position and layer: the query, key and value products, then scores and weighted values over the sequence.
  const attention = 3 * hidden * hidden + 2 * batch.length * hidden;
  const outputBlock = hidden * hidden + 2 * hidden * intermediate;
  const lastOutputRows = cut === 'last-layer-output' ? masks : tokens;
  const transformRows = cut === 'last-layer-output' ? masks : tokens;
  const projectedRows = cut === 'none' ? tokens : masks;
  const multiplyAdds =
    tokens * (embeddingMapping + layers * attention) +
    (tokens * (layers - 1) + lastOutputRows) * outputBlock +
    transformRows * hidden * embedding +
    projectedRows * embedding * vocab;
  return 2 * multiplyAdds;
}
