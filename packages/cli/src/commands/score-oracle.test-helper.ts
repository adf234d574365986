import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { loadTokenizer, openModel, type FillMaskTokenizer, type ModelConfig } from '@fillmask/core';

export async function folderTokenizer(folder: string): Promise<FillMaskTokenizer> {
  const files = await openModel(folder);
  return loadTokenizer(files, JSON.parse(new TextDecoder().decode(await files.read('config.json'))) as ModelConfig);
}

/**
 * The expected PLL of a text, from the model's original graph (not the rewritten one the backend
 * runs): one copy per scored token, run alone without padding, log-softmax in float64. `words`, one
 * per token between the framing, switches to word-l2r masking.
 */
export async function directPll(
  folder: string,
  text: string,
  words?: readonly number[],
): Promise<{ pll: number; tokens: number; logProbabilities: number[] }> {
  const tokenizer = await folderTokenizer(folder);
  const ids = tokenizer.encode(text).ids;
  const session = await ort.InferenceSession.create(join(folder, 'onnx', 'model.onnx'));
  try {
    const logProbabilities: number[] = [];
    for (let target = 1; target < ids.length - 1; target++) {
      if (tokenizer.specialTokenIds.has(ids[target])) continue;
      const masked = [...ids];
      masked[target] = tokenizer.maskTokenId;
      for (let later = target + 1; words && later < ids.length - 1 && words[later - 1] === words[target - 1]; later++) {
        masked[later] = tokenizer.maskTokenId;
      }
      const dims = [1, masked.length];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(masked, BigInt), dims),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(masked.length).fill(1n), dims),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(masked.length), dims),
      };
      const logits = (await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]])))).logits;
      const vocab = logits.dims[2];
      const row = Array.from((logits.data as Float32Array).subarray(target * vocab, (target + 1) * vocab), Number);
      const max = Math.max(...row);
      logProbabilities.push(row[ids[target]] - max - Math.log(row.reduce((total, value) => total + Math.exp(value - max), 0)));
    }
    return { pll: logProbabilities.reduce((total, value) => total + value, 0), tokens: logProbabilities.length, logProbabilities };
  } finally {
    await session.release();
  }
}

export function expectRelativelyClose(actual: number, expected: number, tolerance = 1e-4): boolean {
  return Math.abs(actual - expected) <= tolerance * Math.abs(expected);
}
