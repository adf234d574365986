import type * as Ort from 'onnxruntime-node';

export type OnnxRuntime = typeof Ort;

/** Options of `createOnnxBackend`. All optional: the defaults suit a CPU server. */
export interface OnnxBackendOptions {
  /**
   * The runtime, or a function that loads it. Default: `import('onnxruntime-node')` on first use,
   * so importing this package costs nothing until a model is loaded.
   */
  readonly runtime?: OnnxRuntime | (() => Promise<OnnxRuntime>);
  /**
   * onnxruntime session options, merged over `defaultSessionOptions()`: `graphOptimizationLevel:
   * 'all'`, `intraOpNumThreads` = the machine's physical cores, intra-op threads that spin between
   * the ops of a run and stop when it returns (`extra.session.intra_op.allow_spinning: '1'`,
   * `extra.session.force_spinning_stop: '1'`; pass `allow_spinning: '0'` never to spin, or
   * `force_spinning_stop: '0'` for onnxruntime's own spinning after a run) and exact
   * int8 products (`extra.session.x64quantprecision: '1'`). `extra` merges key by key, the rest
   * replaces the default.
   */
  readonly sessionOptions?: Ort.InferenceSession.SessionOptions;
  /**
   * Rewrite the graph at load time so the vocabulary projection runs only at the mask positions
   * (see `gatherMaskRows` in `@fillmask/core/graph`). Default true; graphs it does not recognise run
   * unchanged. Results are the same either way; only the work differs.
   */
  readonly maskRowsOnly?: boolean;
  /**
   * Run the products by fp32 weight matrices (the encoder's and the head's linear layers, the
   * vocabulary projection) as 1×1 convolutions, which onnxruntime's CPU provider computes with its
   * blocked NCHWc kernels (see `productsAsPointwiseConvolutions` in `@fillmask/core/graph`). Default
   * true when `graphOptimizationLevel` is 'all' (the default), which those kernels need. Measured on
   * the 2-core AVX2 VM of benchmarks/results.md: one distilroberta sentence about 20% faster; batches
   * of hundreds of rows about 5% slower. Scores move by float32 rounding only.
   */
  readonly pointwiseConvolutions?: boolean;
  /** Receives diagnostic lines, such as why a graph was not rewritten. Default: none, unless DEBUG contains `fillmask`. */
  readonly onDebug?: (message: string) => void;
}
