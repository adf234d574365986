import * as ort from 'onnxruntime-node';
import { join } from 'node:path';

/**
 * The reference the parity tests compare with: the fixture graph run directly with onnxruntime on
 * the given ids (batch of one, no padding), softmax in float64 over the whole vocabulary. Int8
 * products are exact, as on a VNNI CPU or in WebAssembly, whatever this CPU (see session-defaults.ts).
 */
export async function directProbabilities(
  modelFolder: string,
  dtype: 'fp32' | 'q8',
  ids: readonly number[],
  positions: readonly number[],
): Promise<Float64Array[]> {
  const session = await ort.InferenceSession.create(join(modelFolder, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx'), {
    extra: { session: { x64quantprecision: '1' } },
  });
  try {
    const dims = [1, ids.length];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
    };
    const inputs = Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]]));
    const logits = (await session.run(inputs)).logits;
    const vocab = logits.dims[2];
    const data = logits.data as Float32Array;
    return positions.map((position) => {
      const row = data.subarray(position * vocab, (position + 1) * vocab);
      const max = row.reduce((best, value) => Math.max(best, value), -Infinity);
      const exps = Float64Array.from(row, (value) => Math.exp(value - max));
      const sum = exps.reduce((total, value) => total + value, 0);
      return exps.map((value) => value / sum);
    });
  } finally {
    await session.release();
  }
}

/** Ids ranked by probability, ties to the lower id. */
export function rankIds(probabilities: Float64Array, ids?: readonly number[]): number[] {
  const candidates = ids ? [...ids] : Array.from(probabilities.keys());
  return candidates.sort((a, b) => probabilities[b] - probabilities[a] || a - b);
}
