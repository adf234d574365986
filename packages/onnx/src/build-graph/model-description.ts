import { UnsupportedModelError, type ModelConfig } from '@fillmask/core';
import type { ModelWeights, WeightTensor } from '../weights/model-weights.js';
import { bytesPerWeightElement, elementCount, floatWeightDtypes } from './initializer-values.js';

/**
 * A model's config.json and checkpoint as a graph builder reads them: each field and weight asked
 * for is checked, and what is missing or malformed becomes an `UnsupportedModelError` naming it.
 */
export class ModelDescription {
  constructor(
    readonly config: ModelConfig,
    readonly weights: ModelWeights,
    /** Names the model in error messages. */
    readonly model: string,
    readonly modelType: string,
  ) {}

  unsupported(reason: string): UnsupportedModelError {
    return new UnsupportedModelError({ model: this.model, reason: `its ${this.modelType} graph cannot be built: ${reason}` });
  }

  /** A positive integer field, required unless `fallback` (transformers' default for the model type) is given. */
  integer(field: string, fallback?: number): number {
    const value = this.config[field] ?? fallback;
    if (value === undefined) throw this.unsupported(`config.json lacks ${field}.`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw this.unsupported(`config.json's ${field} is ${JSON.stringify(value)}, not a non-negative integer.`);
    return value;
  }

  number(field: string, fallback: number): number {
    const value = this.config[field] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value))
      throw this.unsupported(`config.json's ${field} is ${JSON.stringify(value)}, not a number.`);
    return value;
  }

  string(field: string, fallback: string): string {
    const value = this.config[field] ?? fallback;
    if (typeof value !== 'string') throw this.unsupported(`config.json's ${field} is ${JSON.stringify(value)}, not a string.`);
    return value;
  }

  boolean(field: string, fallback: boolean): boolean {
    const value = this.config[field] ?? fallback;
    if (typeof value !== 'boolean') throw this.unsupported(`config.json's ${field} is ${JSON.stringify(value)}, not a boolean.`);
    return value;
  }

  /** A field that must hold one of `allowed` (`position_embedding_type: absolute`). */
  oneOf(field: string, fallback: string, allowed: readonly string[]): string {
    const value = this.string(field, fallback);
    if (!allowed.includes(value))
      throw this.unsupported(
        `config.json's ${field} is ${JSON.stringify(value)}; only ${allowed.map((item) => JSON.stringify(item)).join(', ')} can be built.`,
      );
    return value;
  }

  has(name: string): boolean {
    return this.weights.get(name) !== undefined;
  }

  /** The first of `prefixes` under which the checkpoint holds `probe` (`bert.` or none, for a checkpoint saved from the bare encoder). */
  prefixOf(prefixes: readonly string[], probe: string): string {
    const prefix = prefixes.find((candidate) => this.has(`${candidate}${probe}`));
    if (prefix === undefined) throw this.missingWeight(prefixes.map((candidate) => `${candidate}${probe}`));
    return prefix;
  }

  /** A float weight of the given shape; `shape` entries of -1 accept any size. */
  weight(name: string, shape: readonly number[]): WeightTensor {
    const tensor = this.weights.get(name);
    if (!tensor) throw this.missingWeight([name]);
    return this.checked(tensor, shape);
  }

  /** The first of `names` the checkpoint holds (a weight saved under either of its tied names). */
  weightOf(names: readonly string[], shape: readonly number[]): WeightTensor {
    for (const name of names) {
      const tensor = this.weights.get(name);
      if (tensor) return this.checked(tensor, shape);
    }
    throw this.missingWeight(names);
  }

  /**
   * A parameter transformers ties to `source` when config.json's `tie_word_embeddings` is on (its
   * default): a decoder's weight (tied to the word embeddings) or bias. As transformers loads it:
   * tied, the one the checkpoint holds, or `source` when it holds both with the same values (so the
   * graph keeps one copy); a target whose values differ, or an untied one, is the target's own.
   * A checkpoint that lacks the target falls back to `source` even untied (saved when they were one tensor).
   */
  tiedWeight(target: string, source: string, shape: readonly number[]): WeightTensor {
    const own = this.weights.get(target);
    const shared = this.weights.get(source);
    if (own && shared && this.boolean('tie_word_embeddings', true) && sameValues(own, shared)) return this.checked(shared, shape);
    return this.weightOf([target, source], shape);
  }

  private checked(tensor: WeightTensor, shape: readonly number[]): WeightTensor {
    if (!floatWeightDtypes.has(tensor.dtype)) {
      throw this.unsupported(`weight ${tensor.name} is ${tensor.dtype}, not a float type (F32, F16, BF16, F64).`);
    }
    const fits = tensor.shape.length === shape.length && shape.every((size, axis) => size === -1 || size === tensor.shape[axis]);
    if (!fits) {
      const implied = shape.map((size) => (size === -1 ? '?' : size)).join(', ');
      throw this.unsupported(`weight ${tensor.name} has shape [${tensor.shape.join(', ')}] where config.json implies [${implied}].`);
    }
    const byteLength = elementCount(tensor.shape) * (bytesPerWeightElement[tensor.dtype] ?? 0);
    if (tensor.bytes.length !== byteLength) {
      throw this.unsupported(
        `weight ${tensor.name} holds ${tensor.bytes.length} bytes where ${tensor.dtype} [${tensor.shape.join(', ')}] takes ${byteLength}.`,
      );
    }
    return tensor;
  }

  private missingWeight(names: readonly string[]): UnsupportedModelError {
    const which = `weight ${names.join(' or ')}`;
    // A checkpoint saved from another head (ElectraForPreTraining, BertModel) lacks the masked-LM head's weights.
    const architectures = Array.isArray(this.config.architectures)
      ? this.config.architectures.filter((name) => typeof name === 'string')
      : [];
    const hint =
      architectures.length > 0 && !architectures.some((name) => name.includes('MaskedLM'))
        ? ` (config.json names ${architectures.join(', ')}: is it a checkpoint without a masked-LM head?)`
        : '';
    return this.unsupported(`the checkpoint has no ${which}${hint}.`);
  }
}

function sameValues(a: WeightTensor, b: WeightTensor): boolean {
  if (a.dtype !== b.dtype || a.shape.length !== b.shape.length || a.shape.some((size, axis) => size !== b.shape[axis])) return false;
  if (a.bytes.length !== b.bytes.length) return false;
  for (let index = 0; index < a.bytes.length; index++) if (a.bytes[index] !== b.bytes[index]) return false;
  return true;
}
