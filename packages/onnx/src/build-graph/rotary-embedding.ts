import type { GraphBuilder } from './graph-builder.js';
import { firstRows } from './embeddings.js';
import { literalFloat32Values } from './initializer-values.js';
import { ElementType } from '../graph/onnx-fields.js';

/** The `[sequence, headSize]` cosines and sines that rotate queries and keys (RoPE) at each position. */
export interface RotaryPositions {
  readonly cos: string;
  readonly sin: string;
}

/**
 * cos and sin of `position · θ^(-2i/headSize)` for positions `[0, length)` and `i < headSize / 2`,
 * `[length, headSize / 2]`, each step rounded to float32 as transformers' default RoPE computes it.
 * Computed here rather than by graph ops: runtimes' float32 sine of an argument in the thousands
 * (a GPU's above all) is far less accurate.
 */
export function rotaryTables(theta: number, headSize: number, length: number): { cos: Float32Array; sin: Float32Array } {
  const f = Math.fround;
  const half = headSize / 2;
  const inverseFrequencies = Array.from({ length: half }, (_, index) => f(1 / f(theta ** f((2 * index) / headSize))));
  const cos = new Float32Array(length * half);
  const sin = new Float32Array(length * half);
  for (let position = 0; position < length; position++) {
    for (let index = 0; index < half; index++) {
      const angle = f(position * inverseFrequencies[index]);
      cos[position * half + index] = Math.cos(angle);
      sin[position * half + index] = Math.sin(angle);
    }
  }
  return { cos, sin };
}

/** The rotation of the sequence of `inputIds` (at most `length` long) for base `theta`: tables in the graph, sliced to the sequence. */
export function rotaryPositions(builder: GraphBuilder, inputIds: string, theta: number, headSize: number, length: number): RotaryPositions {
  const scope = `/rotary/theta_${theta}`;
  const tables = rotaryTables(theta, headSize, length);
  const half = headSize / 2;
  const table = (name: 'cos' | 'sin') => {
    const stored = builder.addInitializer(`${scope}/${name}`, ElementType.float, [length, half], literalFloat32Values(tables[name]));
    const rows = firstRows(builder, `${scope}/${name}`, stored, inputIds);
    // The two halves of a head share the angles (transformers' cat((freqs, freqs))).
    return builder.op(`${scope}/${name}`, 'Concat', [rows, rows], { axis: -1 });
  };
  return { cos: table('cos'), sin: table('sin') };
}

/** `x · cos + rotate_half(x) · sin` over `[batch, heads, sequence, headSize]`, `rotate_half(x) = [-x₂, x₁]`. */
export function rotate(builder: GraphBuilder, scope: string, heads: string, rotary: RotaryPositions, headSize: number): string {
  const half = headSize / 2;
  const slice = (start: number, end: number) =>
    builder.op(scope, 'Slice', [heads, builder.int64Constant([start]), builder.int64Constant([end]), builder.int64Constant([-1])]);
  const rotated = builder.op(scope, 'Concat', [builder.op(scope, 'Neg', [slice(half, headSize)]), slice(0, half)], { axis: -1 });
  return builder.op(scope, 'Add', [builder.op(scope, 'Mul', [heads, rotary.cos]), builder.op(scope, 'Mul', [rotated, rotary.sin])]);
}
