import type { ModelFiles } from '../model-source/model-files.js';
import type { ModelConfig } from '../model/model-config.js';

/**
 * The contract a backend implements, version 1. Core owns tokenization, batching, scoring and
 * decoding; a backend only runs the model and returns the logits at the positions core asks for.
 * That keeps every backend's results identical and lets a backend skip the work nobody reads
 * (the vocabulary projection at positions without a mask, the rows it does not return).
 *
 * Changing anything here that an existing backend relies on means a new version (`v2`) beside
 * this one; adding optional members does not.
 */
export interface FillMaskBackendV1 {
  readonly specificationVersion: 'v1';
  /** Short name for messages and logs: `onnx`, `web`, ... */
  readonly name: string;
  /** Prepares a model for inference. Called once per fill-mask object. */
  loadModel(request: LoadModelRequestV1): Promise<BackendModelV1>;
}

export type ModelDtype = 'fp32' | 'q8';

export interface LoadModelRequestV1 {
  readonly files: ModelFiles;
  /** The model's parsed `config.json`. */
  readonly config: ModelConfig;
  readonly dtype: ModelDtype;
  /** The graph file to load for this dtype, relative to the model folder, e.g. `onnx/model.onnx`. */
  readonly modelFile: string;
}

/** A loaded model. `run` may be called concurrently; the backend serialises what its runtime cannot. */
export interface BackendModelV1 {
  /** Number of logits per position: the vocabulary size of the output layer. */
  readonly vocabSize: number;
  run(batch: TokenBatchV1): Promise<PositionLogitsV1>;
  /** Frees the runtime's resources. Later `run` calls reject with DisposedError. */
  dispose(): Promise<void>;
}

/** A padded batch of token ids, row-major `[batchSize, sequenceLength]`. */
export interface TokenBatchV1 {
  readonly batchSize: number;
  readonly sequenceLength: number;
  readonly inputIds: Int32Array;
  /** 1 for real tokens, 0 for padding. */
  readonly attentionMask: Int32Array;
  readonly tokenTypeIds: Int32Array;
  /** The positions whose logits are wanted, flattened as `row * sequenceLength + column`, in this order. */
  readonly positions: Int32Array;
}

/** Logits for the requested positions: `positions.length` rows of `vocabSize` values, in request order. */
export interface PositionLogitsV1 {
  readonly logits: Float32Array;
}
