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
   * Run products by fp32 weight matrices as 1×1 convolutions, which onnxruntime's CPU provider
   * computes with its blocked NCHWc kernels when `graphOptimizationLevel` is 'all' (the default; see
   * `productsAsPointwiseConvolutions` in `@fillmask/core/graph`). Scores move by float32 rounding
   * only. `true` converts the products at the mask rows (the vocabulary projection, the head's
   * transform and, in fp32, the last layer's output block); `'everywhere'` the encoder's too.
   * Default false: measured with distilroberta on the 2-core AVX2 VM of benchmarks/results.md,
   * `true` made one sentence 0.8 ms (3%) faster and `'everywhere'` 1.4 ms (6%), but loading peaks
   * about 700 MB higher (onnxruntime reorders the 154 MB projection into its blocked layout beside
   * the copy the embedding lookup reads) and `'everywhere'` makes batches 8–20% slower (its layout
   * reorders grow with the rows) and the process about 180 MB larger. Worth trying for a server
   * filling one sentence at a time with memory to spare.
   */
  readonly pointwiseConvolutions?: boolean | 'everywhere';
  /** Receives diagnostic lines, such as why a graph was not rewritten. Default: none, unless DEBUG contains `fillmask`. */
  readonly onDebug?: (message: string) => void;
}
