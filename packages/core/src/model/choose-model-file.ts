import type { ModelBackendV1, ModelDtype, ModelFormat } from '../backend/fill-mask-backend-v1.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import type { ModelFiles } from '../model-source/model-files.js';

/** ONNX exports by dtype, named as Optimum and transformers.js name them. */
const onnxFiles: Record<ModelDtype, string> = {
  fp32: 'onnx/model.onnx',
  q8: 'onnx/model_quantized.onnx',
};

/** Weights as transformers' `save_pretrained` writes them, in the order transformers prefers them. */
export const weightFiles = [
  'model.safetensors',
  'model.safetensors.index.json',
  'pytorch_model.bin',
  'pytorch_model.bin.index.json',
] as const;

export const modelDtypes = Object.keys(onnxFiles) as ModelDtype[];

/** The ONNX export's file for a dtype, relative to the model folder. */
export function modelFileForDtype(dtype: ModelDtype): string {
  return onnxFiles[dtype];
}

/** The file a backend loads, and what it is. */
export interface ChosenModelFile {
  readonly modelFile: string;
  readonly modelFormat: ModelFormat;
}

/**
 * What to load for a dtype: the ONNX export when the model has one, else the weights (which a
 * backend that `buildsFromWeights` turns into a graph), else an error that lists what the model has
 * and what would load. Asks the source for its file list first, so a Hub model costs one request
 * rather than a failed download per candidate.
 */
export async function chooseModelFile(
  files: ModelFiles,
  dtype: ModelDtype,
  backend: Pick<ModelBackendV1, 'name' | 'buildsFromWeights'>,
): Promise<ChosenModelFile> {
  const listing = await files.list?.();
  const has = async (file: string) => (listing ? listing.includes(file) : files.exists(file));
  const onnxFile = onnxFiles[dtype];
  if (await has(onnxFile)) return { modelFile: onnxFile, modelFormat: 'onnx' };

  let weights: string | undefined;
  for (const candidate of weightFiles) {
    if (await has(candidate)) {
      weights = candidate;
      break;
    }
  }
  if (weights !== undefined && backend.buildsFromWeights) return { modelFile: weights, modelFormat: 'weights' };

  const otherExports = listing?.filter((file) => file.endsWith('.onnx')) ?? [];
  const found =
    weights !== undefined
      ? `only weights (${weights})`
      : otherExports.length > 0
        ? `other ONNX files (${otherExports.join(', ')})`
        : 'no ONNX export and no weights';
  const ways =
    weights !== undefined
      ? `use a backend that builds the graph from the weights ("onnx" in Node, "web" in a browser); backend "${backend.name}" loads ONNX exports only`
      : `publish ${onnxFile} (an Optimum export) or the weights as transformers saves them (${weightFiles.join(', ')})` +
        (otherExports.length > 0 && dtype === 'q8' ? ', or load the fp32 export with dtype "fp32"' : '');
  throw new UnsupportedModelError({
    model: files.location,
    reason: `it has no ${onnxFile} for dtype "${dtype}" and ${found}${listing ? ` among its ${listing.length} files` : ''}: ${ways}.`,
  });
}
