import { type LoadModelRequestV1, UnsupportedModelError } from '@fillmask/core';
import { readModelWeights } from '../weights/read-model-weights.js';
import { buildMaskedLmGraph } from './build-masked-lm-graph.js';

/**
 * The graph of a model that publishes weights and no ONNX export (`modelFormat: 'weights'`): its
 * weights read from the files (`model.safetensors`, `pytorch_model.bin`, or a sharded index) and the
 * masked-LM graph built from them and config.json. The weights' bytes are let go when this returns,
 * so at most the file and the graph are held at once.
 */
export async function buildGraphFromFiles(request: Pick<LoadModelRequestV1, 'files' | 'config' | 'dtype' | 'modelFile'>): Promise<Uint8Array> {
  const { files, config, modelFile } = request;
  assertBuildableDtype(request);
  const weights = await readModelWeights(files, modelFile);
  return buildMaskedLmGraph(config, weights, { model: files.location });
}

/** Throws UnsupportedModelError, before anything is read, for a dtype no graph is built in. */
export function assertBuildableDtype({ files, dtype, modelFile }: Pick<LoadModelRequestV1, 'files' | 'dtype' | 'modelFile'>): void {
  if (dtype === 'fp32') return;
  throw new UnsupportedModelError({
    model: files.location,
    reason: `dtype "${dtype}" needs an int8 ONNX export (onnx/model_quantized.onnx), and this model publishes only ${modelFile}: load it with dtype "fp32" (the default).`,
  });
}
