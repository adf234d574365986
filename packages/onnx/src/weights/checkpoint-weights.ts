import { checkpointNameOnLoad } from './checkpoint-names.js';
import type { ModelWeights, WeightTensor } from './model-weights.js';
import { invalidWeightFile, type WeightFileRef } from './weight-file.js';

/** ModelWeights over a list of tensors, keeping their order. */
class TensorList implements ModelWeights {
  readonly byteLength: number;
  readonly #byName: ReadonlyMap<string, WeightTensor>;
  readonly #names: readonly string[];

  constructor(byName: ReadonlyMap<string, WeightTensor>) {
    this.#byName = byName;
    this.#names = Object.freeze([...byName.keys()]);
    let total = 0;
    for (const tensor of byName.values()) total += tensor.bytes.byteLength;
    this.byteLength = total;
  }

  get(name: string): WeightTensor | undefined {
    return this.#byName.get(name);
  }

  names(): readonly string[] {
    return this.#names;
  }
}

/**
 * The weights of a checkpoint from its tensors in file order (named as the file spells them), each renamed the way transformers renames
 * it on load (`LayerNorm.gamma` -> `LayerNorm.weight`, ...). Two tensors that end up with one name are
 * an error: which one transformers would keep depends on its version. `byteLength` counts each name's
 * bytes, so tied weights (two names, one storage) count twice.
 */
export function checkpointWeights(tensors: Iterable<WeightTensor>, where: WeightFileRef): ModelWeights {
  const byName = new Map<string, WeightTensor>();
  const storedNameOf = new Map<string, string>();
  for (const tensor of tensors) {
    const name = checkpointNameOnLoad(tensor.name);
    const earlier = storedNameOf.get(name);
    if (earlier !== undefined) {
      const what =
        earlier === tensor.name
          ? `names the tensor ${JSON.stringify(name)} twice`
          : `has both ${JSON.stringify(earlier)} and ${JSON.stringify(tensor.name)}, which transformers loads as one tensor ${JSON.stringify(name)}`;
      throw invalidWeightFile(where, `it ${what}.`);
    }
    storedNameOf.set(name, tensor.name);
    byName.set(name, name === tensor.name ? tensor : { ...tensor, name });
  }
  return new TensorList(byName);
}
