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
   * 'all'`, `intraOpNumThreads` = the machine's physical cores, intra-op threads that spin as
   * onnxruntime's do by default, between the ops of a run and for a short while after it
   * (`extra.session.intra_op.allow_spinning: '1'`; pass `extra.session.force_spinning_stop: '1'`
   * to stop them when a run returns, `allow_spinning: '0'` never to spin) and exact
   * int8 products (`extra.session.x64quantprecision: '1'` on x64 CPUs without VNNI, where
   * onnxruntime's fast int8 kernel saturates: `fastInt8KernelSaturates()`). `extra` merges key by
   * key, the rest replaces the default.
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
   * `productsAsPointwiseConvolutions` in `@fillmask/core/graph`). `true` converts the fp32 products
   * at the mask rows (the vocabulary projection, the head's transform and the last layer's output
   * block, unless its weights are shared with other layers as in ALBERT; an int8 graph has none); it
   * does nothing when `maskRowsOnly` is false. `'everywhere'` converts the encoder's products too.
   * `false` keeps every product a MatMul. The parity suite holds the answers to transformers.js's
   * within 1e-5 with each. The default stays `true`: the mask rows' products run faster as
   * convolutions on one sentence and no slower in batches, while `'everywhere'` costs batch
   * throughput and memory (onnxruntime reorders each filter into its blocked layout) for little
   * per sentence; see docs/performance.md and benchmarks/convolutions/results.md. From a model on
   * disk (onnxruntime 1.21 or later) the weights stay in the file for onnxruntime to read, but for
   * the `[K, N]` matrices the rewrite transposes into the graph.
   */
  readonly pointwiseConvolutions?: boolean | 'everywhere';
  /**
   * The model will mostly fill batches (a file of inputs, a server). A q8 model then loads only the
   * graph that quantizes each input on its own, which batches need to give every input its answers
   * alone: one session instead of a second one opened at the first batch, so loading and the first
   * batch are faster; one input at a time runs a little slower. Answers are the same either way.
   * Default false.
   */
  readonly expectBatches?: boolean;
  /** Receives diagnostic lines, such as why a graph was not rewritten. Default: none, unless DEBUG contains `fillmask`. */
  readonly onDebug?: (message: string) => void;
  /**
   * Where graphs built from weights (for models that publish no ONNX export) are kept, so the next
   * load of the same weights skips the build: a folder, or `false` to build in memory every time.
   * Default: `$FILLMASK_CACHE/graphs`, else `$XDG_CACHE_HOME/fillmask/graphs`, else
   * `~/.cache/fillmask/graphs`.
   */
  readonly builtGraphCache?: string | false;
  /**
   * The folder where graphs prepared from a model file on disk (the edits above, and int8 weights
   * stored as uint8 where onnxruntime's exact kernel is asked for) are kept, so the next load of the
   * same file with the same settings opens them without preparing them again; `false` prepares them
   * at every load. An entry's key includes the file's real path, inode, size and times; writing one
   * removes the cache's own files of entries whose model file is gone or changed.
   * Default: `$FILLMASK_CACHE/prepared-graphs`, else `$XDG_CACHE_HOME/fillmask/prepared-graphs`,
   * else `~/.cache/fillmask/prepared-graphs`.
   */
  readonly preparedGraphCache?: string | false;
}
