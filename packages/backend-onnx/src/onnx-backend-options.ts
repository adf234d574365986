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
   * `productsAsPointwiseConvolutions` in `@fillmask/core/graph`). `true` converts the products at the
   * mask rows (the vocabulary projection, the head's transform and, in fp32, the last layer's output
   * block, unless its weights are shared with other layers as in ALBERT); it does nothing when
   * `maskRowsOnly` is false. `'everywhere'` converts the encoder's products too. The parity suite
   * holds the answers to transformers.js's within 1e-5 either way. Default false: in `npm run bench
   * -- --convolutions` (benchmarks/convolutions/results.md, distilroberta fp32 on a 2-core AVX2 VM,
   * 06:34 UTC run) one sentence took 25.8 ms with `true` and 23.2 ms with `'everywhere'` against
   * 26.9 ms by default, within this VM's run-to-run swing for `true`; batches ran at 52.3 and 49.6
   * sentences/s against 50.2 (10–13% slower in an earlier run) and the peak memory rose from
   * 1,478 MiB to 2,129 and 2,279 MiB (measured apart, about 350 MB of it in onnxruntime's load, which reorders each filter
   * into its blocked layout; the rest a further copy of the rewritten model in memory). Either
   * setting reads the whole model file, since the rewrite transposes the weights; by default they
   * stay in the file for onnxruntime to read, and the peak was 751 MiB in the 08:32 UTC run of
   * benchmarks/results.md.
   */
  readonly pointwiseConvolutions?: boolean | 'everywhere';
  /** Receives diagnostic lines, such as why a graph was not rewritten. Default: none, unless DEBUG contains `fillmask`. */
  readonly onDebug?: (message: string) => void;
}
