/** What a peer's child script (transformers-fill.js, onnxruntime-pll.js) is asked to do: its one argument, as JSON. */
export interface PeerRequest {
  /** A model folder in the Hub layout, with onnx/model.onnx and onnx/model_quantized.onnx. */
  readonly folder: string;
  readonly dtype: 'fp32' | 'q8';
  /** onnxruntime's intra-op threads, the same as fillmask's. */
  readonly threads: number;
  /** One input per line; blank lines are skipped, as the CLI skips them. */
  readonly inputFile: string;
  /** Candidates per mask (fill only). */
  readonly topK?: number;
}

/** Inputs (fill) or masked copies (score) per forward pass of the peers, in input order. */
export const peerBatchSize = 32;
