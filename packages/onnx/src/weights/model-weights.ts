/** Element types of the tensors in checkpoint files, as safetensors names them. */
export type WeightDtype = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL';

/** One tensor of a checkpoint. */
export interface WeightTensor {
  /** The name as the checkpoint writes it, after the renames transformers applies when loading (`LayerNorm.gamma` -> `LayerNorm.weight`, `beta` -> `bias`). */
  readonly name: string;
  readonly dtype: WeightDtype;
  readonly shape: readonly number[];
  /** The values, row-major, little-endian, contiguous: a view into the file's bytes where the file holds them so (no copy). */
  readonly bytes: Uint8Array;
}

/** The tensors of a checkpoint (one file, or the shards of an index), by name. */
export interface ModelWeights {
  /** The tensor of this name, or undefined. */
  get(name: string): WeightTensor | undefined;
  /** Every tensor name, in file order. */
  names(): readonly string[];
  /** Total bytes of all tensors. */
  readonly byteLength: number;
}
