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

/**
 * Floating-point operations (2 per multiply-add) of one padded batch: the encoder at every position,
 * the head's transform at every position, and the vocabulary projection at `projectedRows` positions
 * (every position for an unmodified graph, the masks only for fillmask's).
 */
export function batchFlops(shape: EncoderShape, rows: number, sequenceLength: number, projectedRows: number): number {
  const { layers, hidden, intermediate, vocab, embedding } = shape;
  const tokens = rows * sequenceLength;
  const perTokenLayer = 4 * hidden * hidden + 2 * hidden * intermediate + 2 * sequenceLength * hidden;
  const transform = hidden * embedding;
  return 2 * (tokens * (layers * perTokenLayer + transform) + projectedRows * embedding * vocab);
}
