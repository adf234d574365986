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
   * `maskRowsOnly` is false. `'everywhere'` converts the encoder's products too. `false` keeps every
   * product a MatMul. The parity suite holds the answers to transformers.js's within 1e-5 either way.
   * Default `true`: in `npm run bench -- --convolutions` (benchmarks/convolutions/results.md,
   * distilroberta fp32 on a 2-core AVX2 VM, 14:06 UTC run) one sentence took 24.3 ms with `true`
   * and 23.9 ms with `'everywhere'` against 28.4 ms with `false` (a gain of 1.1–4.1 and 3.5–4.5 ms
   * across four runs), and batches ran at 50.5 and 45.7 sentences/s against 50.4; a bert-base
   * shaped model gains nothing either way. The weights stay in the file for onnxruntime to read,
   * but for the `[K, N]` matrices the rewrite transposes into the graph; onnxruntime then reorders
   * each filter into its blocked layout. Peak memory at load (distilroberta fp32, measured apart):
   * 894 MiB with `true`, 1,412 with `'everywhere'`, 601 with `false`.
   */
  readonly pointwiseConvolutions?: boolean | 'everywhere';
  /** Receives diagnostic lines, such as why a graph was not rewritten. Default: none, unless DEBUG contains `fillmask`. */
  readonly onDebug?: (message: string) => void;
}
