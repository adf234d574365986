import { createHash } from 'node:crypto';
import { mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadModelRequestV1 } from '@fillmask/core';
import { graphBuilderVersion } from '@fillmask/onnx';
import { buildGraphInWorker } from './build-graph-in-worker.js';
import { cacheFolder } from './cache-folder.js';

/** A graph built from weights, as a file on disk, in the folder the built-graph cache keeps it. */
export interface BuiltGraphFile {
  readonly folder: string;
  readonly file: 'model.onnx';
  /** False when this load built it, true when an earlier one had. */
  readonly cached: boolean;
}

/**
 * The graph of a weights-only model, built once and kept on disk, so that a later load of the same
 * weights opens it as it opens an ONNX export: with its weights left in the file, read by onnxruntime.
 * The key is the builder's version, config.json and each weight file's real path, size and
 * modification time, so new weights (a new Hub commit links new blobs) build a new graph. Undefined
 * when the files are not on disk (a ModelFiles without `localPath`): the graph is then built in memory.
 */
export async function builtGraphFile(request: LoadModelRequestV1, cacheFolder: string): Promise<BuiltGraphFile | undefined> {
  const { files } = request;
  if (!files.localPath) return undefined;
  const localPath = files.localPath.bind(files);
  const key = createHash('sha256').update(`fillmask built graph ${graphBuilderVersion} ${request.dtype}\n`);
  key.update(await files.read('config.json'));
  const paths: Record<string, string> = {};
  for (const weightFile of await weightFilesOf(request)) {
    paths[weightFile] = await localPath(weightFile);
    const real = await realpath(paths[weightFile]);
    const info = await stat(real);
    key.update(`\n${weightFile}\0${real}\0${info.size}\0${info.mtimeMs}`);
  }
  const folder = path.join(cacheFolder, key.digest('hex').slice(0, 32));
  const target = path.join(folder, 'model.onnx');
  if ((await stat(target).catch(() => undefined))?.isFile()) return { folder, file: 'model.onnx', cached: true };

  await mkdir(folder, { recursive: true });
  // Written beside its final name and renamed, so a reader never sees half a graph.
  const temporary = `${target}.${process.pid}.${Date.now()}.incomplete`;
  try {
    await buildGraphInWorker({
      location: files.location,
      paths,
      config: request.config,
      dtype: request.dtype,
      modelFile: request.modelFile,
      output: temporary,
    });
    await rename(temporary, target);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { folder, file: 'model.onnx', cached: false };
}

/** The files the weights are in: the file itself, or an index's shards. */
async function weightFilesOf({ files, modelFile }: LoadModelRequestV1): Promise<string[]> {
  if (!modelFile.endsWith('.index.json')) return [modelFile];
  const index = JSON.parse(new TextDecoder().decode(await files.read(modelFile))) as { weight_map?: Record<string, string> };
  const folder = modelFile.includes('/') ? modelFile.slice(0, modelFile.lastIndexOf('/') + 1) : '';
  return [modelFile, ...new Set(Object.values(index.weight_map ?? {}).map((shard) => `${folder}${shard}`))].sort();
}

/** `$FILLMASK_CACHE/graphs`, else `$XDG_CACHE_HOME/fillmask/graphs`, else `~/.cache/fillmask/graphs`. */
export function defaultBuiltGraphCache(env: NodeJS.ProcessEnv = process.env): string {
  return cacheFolder('graphs', env);
}
