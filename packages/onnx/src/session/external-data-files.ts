import { isModelFilePath, UnsupportedModelError } from '@fillmask/core';

/**
 * Where, in the model's folder, each external-data file a graph names lies: beside the graph file
 * (`onnx/model.onnx_data` for `model.onnx_data` named by `onnx/model.onnx`), as ONNX resolves them.
 * A name that would leave the model's folder (`..`, an absolute path) is UnsupportedModelError, as
 * onnxruntime rejects it too; it is checked before anything is fetched.
 */
export function externalDataFilePaths(model: string, modelFile: string, locations: readonly string[]): Map<string, string> {
  const folder = modelFile.includes('/') ? modelFile.slice(0, modelFile.lastIndexOf('/') + 1) : '';
  const paths = new Map<string, string>();
  for (const location of locations) {
    if (!isModelFilePath(location)) {
      throw new UnsupportedModelError({
        model,
        reason: `${modelFile} names the external data file ${JSON.stringify(location)}, which is not a path inside the model's folder (expected a relative path with / separators, such as "model.onnx_data")`,
      });
    }
    paths.set(location, folder + location);
  }
  return paths;
}
