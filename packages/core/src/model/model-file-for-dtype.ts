import type { ModelDtype } from '../backend/fill-mask-backend-v1.js';

/** File names as Optimum and transformers.js export them. */
const modelFiles: Record<ModelDtype, string> = {
  fp32: 'onnx/model.onnx',
  q8: 'onnx/model_quantized.onnx',
};

export const modelDtypes = Object.keys(modelFiles) as ModelDtype[];

export function modelFileForDtype(dtype: ModelDtype): string {
  return modelFiles[dtype];
}
