import type { LoadModelRequestV1 } from '@fillmask/core';
import { readModelWeights } from '../weights/read-model-weights.js';
import { buildMaskedLmGraph } from './build-masked-lm-graph.js';

/**
 * The graph of a model that publishes weights and no ONNX export (`modelFormat: 'weights'`): its
 * weights read from the files (`model.safetensors`, `pytorch_model.bin`, or a sharded index) and the
 * masked-LM graph built from them and config.json, in the request's dtype (`q8` quantizes the weights
 * as onnxruntime's dynamic quantizer does). The weights' bytes are let go when this returns, so at
 * most the file and the graph are held at once.
 */
export async function buildGraphFromFiles(
  request: Pick<LoadModelRequestV1, 'files' | 'config' | 'dtype' | 'modelFile'>,
): Promise<Uint8Array> {
  const { files, config, dtype, modelFile } = request;
  const weights = await readModelWeights(files, modelFile);
  return buildMaskedLmGraph(config, weights, { model: files.location, dtype });
}
