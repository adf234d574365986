import type { ModelFiles } from '@fillmask/core';
import { externalDataLocations, type ExternalDataReader } from '@fillmask/onnx';
import { externalDataFilePaths } from '@fillmask/onnx';

/** One file of a graph's external data, as onnxruntime-web takes it with the graph. */
export interface ExternalDataFile {
  /** The name the graph gives it (`model.onnx_data`). */
  readonly path: string;
  readonly data: Uint8Array;
}

/**
 * The files the graph keeps its weights in (a `model.onnx_data` beside `onnx/model.onnx`), read
 * through the model's files (its cache, its access token) for onnxruntime-web, which has no folder
 * to look in and takes them with the graph (`externalData`). None for a graph that keeps them all.
 */
export function readExternalData(files: ModelFiles, modelFile: string, graph: Uint8Array): Promise<ExternalDataFile[]> {
  return readExternalDataFiles(files, modelFile, externalDataLocations(graph));
}

/** `readExternalData` of the files at `locations`, as a graph names them (`externalDataLocations`). */
export async function readExternalDataFiles(
  files: ModelFiles,
  modelFile: string,
  locations: readonly string[],
): Promise<ExternalDataFile[]> {
  const paths = externalDataFilePaths(files.location, modelFile, locations);
  const read: ExternalDataFile[] = [];
  // One at a time: each may be a download of gigabytes.
  for (const [location, path] of paths) read.push({ path: location, data: await files.read(path) });
  return read;
}

/** A reader of those files' bytes, for the graph edits that need the values of weights outside the graph; undefined when there are none. */
export function externalDataReaderOver(externalData: readonly ExternalDataFile[]): ExternalDataReader | undefined {
  if (externalData.length === 0) return undefined;
  return (location, offset, length) => {
    const file = externalData.find((candidate) => candidate.path === location);
    if (!file || offset + length > file.data.length)
      throw new Error(`the external data ${location} has no bytes ${offset} to ${offset + length}`);
    return file.data.subarray(offset, offset + length);
  };
}
