import { realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, relative, sep } from 'node:path';
import { UnsupportedModelError, type ModelFiles } from '@fillmask/core';
import { externalDataFilePaths } from '@fillmask/onnx';

/** Where a graph's external data lies on disk: one folder, and the name each file has there. */
export interface ExternalDataOnDisk {
  readonly folder: string;
  /** The graph's name for each file (`model.onnx_data`) to its name in `folder`, for `relocateExternalData`. */
  readonly relocation: ReadonlyMap<string, string>;
}

/**
 * Fetches the external-data files a graph names (a Hub model's `onnx/model.onnx_data` is downloaded
 * into the cache like the graph) and finds them on disk, by the files themselves rather than the
 * links to them: onnxruntime resolves links and refuses data outside the folder it is told, and the
 * Hub cache links each snapshot file to a blob named by its hash. The folder is `base` (the model
 * file's own, when known) if it holds them all, and then they keep their paths under it; else the
 * one folder they all lie in, under their own names there.
 */
export async function externalDataOnDisk(
  files: ModelFiles,
  modelFile: string,
  locations: readonly string[],
  base: string | undefined,
): Promise<ExternalDataOnDisk> {
  if (locations.length === 0) throw new Error('externalDataOnDisk needs at least one location');
  const paths = externalDataFilePaths(files.location, modelFile, locations);
  if (!files.localPath) {
    throw new UnsupportedModelError({
      model: files.location,
      reason: `${modelFile} keeps its weights in ${[...paths.values()].join(', ')}, which onnxruntime-node reads from disk, and this model source has no files on disk (ModelFiles.localPath)`,
    });
  }
  const targets = new Map<string, string>();
  // One at a time: each may be a download of gigabytes.
  for (const [location, path] of paths) targets.set(location, await realpath(await files.localPath(path)));
  if (base !== undefined && [...targets.values()].every((target) => isBelowFolder(base, target))) {
    return {
      folder: base,
      relocation: new Map([...targets].map(([location, target]) => [location, relative(base, target).split(sep).join('/')])),
    };
  }
  const folders = new Set([...targets.values()].map((target) => dirname(target)));
  if (folders.size > 1) {
    throw new UnsupportedModelError({
      model: files.location,
      reason: `the external data files of ${modelFile} lie in several folders (${[...folders].join(', ')}), and onnxruntime reads them from one`,
    });
  }
  return { folder: [...folders][0], relocation: new Map([...targets].map(([location, target]) => [location, basename(target)])) };
}

/** Whether `path` lies inside `folder` (not the folder itself), as written: links are not followed. */
export function isBelowFolder(folder: string, path: string): boolean {
  const relativePath = relative(folder, path);
  return relativePath !== '' && !isAbsolute(relativePath) && relativePath.split(sep)[0] !== '..';
}
