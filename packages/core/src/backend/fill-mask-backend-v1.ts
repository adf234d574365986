import type { MaskPredictions } from '../fill-mask/prediction.js';
import type { ModelSourceOptions } from '../model-source/model-source-options.js';
import type { ModelFiles } from '../model-source/model-files.js';
import type { ModelConfig } from '../model/model-config.js';

/**
 * The contract a backend implements, version 1: either a model backend (core tokenizes, the backend
 * runs the graph) or a service backend (a remote service fills masks from text). `kind` tells them
 * apart; a backend without `kind` is a model backend, as every v1 backend was before services.
 *
 * Changing anything here that an existing backend relies on means a new version (`v2`) beside
 * this one; adding optional members, or a new kind, does not.
 */
export type FillMaskBackendV1 = ModelBackendV1 | ServiceBackendV1;

/**
 * A backend that runs the model in this process. Core owns tokenization, batching, scoring and
 * decoding; a backend only runs the model and returns the logits at the positions core asks for.
 * That keeps every backend's results identical and lets a backend skip the work nobody reads
 * (the vocabulary projection at positions without a mask, the rows it does not return).
 */
export interface ModelBackendV1 {
  readonly specificationVersion: 'v1';
  readonly kind?: 'model';
  /** Short name for messages and logs: `onnx`, `web`, ... */
  readonly name: string;
  /**
   * True when `loadModel` also takes weights (`modelFormat: 'weights'`: `model.safetensors`,
   * `pytorch_model.bin`, or their sharded indexes) and builds the graph from them and `config.json`.
   * Core hands weights only to a backend that says so.
   */
  readonly buildsFromWeights?: boolean;
  /** Prepares a model for inference. Called once per fill-mask object. */
  loadModel(request: LoadModelRequestV1): Promise<BackendModelV1>;
}

/**
 * A backend that reaches a model through a service working at the text level (the Hugging Face
 * Inference API, an Inference Endpoint, `fillmask serve`): no model file is opened in this process;
 * the service tokenizes, runs and ranks, and answers in the Hugging Face wire format.
 */
export interface ServiceBackendV1 {
  readonly specificationVersion: 'v1';
  readonly kind: 'service';
  /** Short name for messages and logs: `remote`, ... */
  readonly name: string;
  /** Connects to the service for one model. Called once per fill-mask object. */
  connect(request: ConnectServiceRequestV1): Promise<ServiceModelV1>;
}

export interface ConnectServiceRequestV1 {
  /** The `model` of the config, as given: a Hub id, or whatever name the service knows the model by. */
  readonly model: string;
  readonly signal?: AbortSignal;
  /**
   * The config's model-source options (`accessToken`, `hubUrl`, `revision`, `cacheDir`, `offline`,
   * `fetch`), for a service backend that reads the model's metadata from the Hub.
   */
  readonly source?: ModelSourceOptions;
}

/** A model behind a service. `fill` may be called concurrently. */
export interface ServiceModelV1 {
  /** The model's mask token, e.g. `[MASK]` or `<mask>`: core checks inputs for it before sending them. */
  readonly maskToken: string;
  /** Longest input in tokens, special tokens included, when the service tells it. */
  readonly maxLength?: number;
  /** One result per input, in order: one ranked list per mask of the input. */
  fill(request: ServiceFillRequestV1): Promise<MaskPredictions[][]>;
  /** Releases what the connection holds. Later `fill` calls reject with DisposedError. */
  dispose(): Promise<void>;
}

export interface ServiceFillRequestV1 {
  /** Each with at least one mask token; core has checked them. */
  readonly inputs: readonly string[];
  readonly topK: number;
  /** Rank only these tokens, as the caller wrote them; the service resolves them against its vocabulary. */
  readonly targets?: readonly string[];
  /** Keep a window of the model's length around the masks instead of failing on long inputs. */
  readonly truncation?: boolean;
  readonly signal?: AbortSignal;
}

export type ModelDtype = 'fp32' | 'q8';

/** What `LoadModelRequestV1.modelFile` is: an ONNX graph, or weights to build the graph from. */
export type ModelFormat = 'onnx' | 'weights';

export interface LoadModelRequestV1 {
  readonly files: ModelFiles;
  /** The model's parsed `config.json`. */
  readonly config: ModelConfig;
  readonly dtype: ModelDtype;
  /**
   * The file to load for this dtype, relative to the model folder: the ONNX graph (`onnx/model.onnx`),
   * or, with `modelFormat: 'weights'`, the weights (`model.safetensors`, `pytorch_model.bin`, or a
   * sharded index `model.safetensors.index.json`).
   */
  readonly modelFile: string;
  /** `'weights'` only for a backend that `buildsFromWeights`; absent means `'onnx'`. */
  readonly modelFormat?: ModelFormat;
}

/** A loaded model. `run` may be called concurrently; the backend serialises what its runtime cannot. */
export interface BackendModelV1 {
  /** Number of logits per position: the vocabulary size of the output layer. */
  readonly vocabSize: number;
  /**
   * True when an input's logits do not depend on the inputs batched with it (beyond float rounding),
   * so core may batch by default. An int8 graph that quantizes activations per tensor is not; when a
   * backend does not say, core assumes fp32 models are and q8 models are not, and runs q8 inputs one
   * per forward pass.
   */
  readonly batchInvariant?: boolean;
  /**
   * The padded tokens per forward pass (rows × longest row) this model runs best at where it runs,
   * e.g. from its runtime's thread count: core's `maxBatchTokens` when the config gives none.
   * Optional; left out, core uses its default.
   */
  readonly preferredBatchTokens?: number;
  run(batch: TokenBatchV1): Promise<PositionLogitsV1>;
  /** Frees the runtime's resources. Later `run` calls reject with DisposedError. */
  dispose(): Promise<void>;
}

/** A padded batch of token ids, row-major `[batchSize, sequenceLength]`; each row's padding follows its tokens. */
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
