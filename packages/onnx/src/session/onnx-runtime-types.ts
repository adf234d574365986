/**
 * The parts of onnxruntime's JS API (onnxruntime-common, shared by onnxruntime-node and
 * onnxruntime-web) that a fill-mask session uses, declared here so core imports no runtime.
 */
export interface OnnxTensorLike {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
  /**
   * Where the data lives. 'cpu' promises that `data` is a typed array of the tensor's own, which
   * stays valid after `dispose()` (both onnxruntime bindings copy outputs out of the runtime);
   * anything else, or nothing, gets copied before the tensor is disposed.
   */
  readonly location?: string;
  dispose?(): void;
}

export interface OnnxValueMetadataLike {
  readonly name: string;
  readonly isTensor: boolean;
  readonly shape?: ReadonlyArray<number | string>;
}

export interface OnnxSessionLike {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly outputMetadata?: readonly OnnxValueMetadataLike[];
  run(feeds: Record<string, OnnxTensorLike>, fetches: string[]): Promise<Record<string, OnnxTensorLike>>;
  release(): Promise<void>;
}

/** Builds an int64 tensor with the runtime's own Tensor class. */
export type Int64TensorFactory = (data: BigInt64Array, dims: number[]) => OnnxTensorLike;
