import type { ModelFiles } from '@fillmask/core';
import { readModelWithWeightsByReference } from '@fillmask/onnx';
import { readExternalData, readExternalDataFiles, type ExternalDataFile } from './read-external-data.js';

/** A graph and the files it keeps its weights in, as onnxruntime-web takes them (`externalData`). */
export interface GraphFiles {
  readonly model: Uint8Array;
  readonly externalData: readonly ExternalDataFile[];
}

/**
 * The graph in `bytes` (the model file as read, or a graph built from weights) with its weights left
 * where they lie in `bytes` (`readModelWithWeightsByReference`, int8 matrices too), and `bytes` as the
 * external-data file those references name, beside the files the model already keeps weights in.
 *
 * Why: onnxruntime-web copies a graph given as bytes into its WebAssembly memory and then each weight
 * out of that copy into a tensor of its own, so the whole file sits there twice at once, in a memory
 * that never shrinks; and a graph edited in JS is a third copy. A graph of references is a few hundred
 * kilobytes: the edits copy only it, and onnxruntime-web copies each weight once, from `bytes`
 * straight into its tensor. `bytes` can be let go once the session is created.
 *
 * Bytes that are no ONNX model go whole, as they are, for onnxruntime to reject in its own words.
 */
export async function readGraphFiles(files: ModelFiles, modelFile: string, bytes: Uint8Array): Promise<GraphFiles> {
  // The references name the file as the model folder has it; onnxruntime-web looks it up among `externalData`.
  const location = modelFile.slice(modelFile.lastIndexOf('/') + 1);
  let byReference: Awaited<ReturnType<typeof readModelWithWeightsByReference>> | undefined;
  try {
    byReference = await readModelWithWeightsByReference(
      { size: bytes.length, read: async (offset, length) => bytes.subarray(offset, Math.min(offset + length, bytes.length)) },
      { location, integerMatrices: true },
    );
  } catch {
    byReference = undefined;
  }
  // A graph naming its own file as external data (or nothing worth referencing) goes as it is.
  if (!byReference || byReference.referenced === 0 || byReference.externalDataLocations.includes(location))
    return { model: bytes, externalData: await readExternalData(files, modelFile, bytes) };
  const others = await readExternalDataFiles(files, modelFile, byReference.externalDataLocations);
  return { model: byReference.model, externalData: [{ path: location, data: bytes }, ...others] };
}
