import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The folder of this package, which is the model folder itself (Hugging Face layout: config.json,
 * tokenizer.json, onnx/model.onnx, ...): pass it as `model` to `createFillMask` or `createScorer`.
 */
export const modelPath = resolve(fileURLToPath(new URL('..', import.meta.url)));
