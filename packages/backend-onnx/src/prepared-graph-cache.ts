import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { preparedGraphVersion } from '@fillmask/onnx';
import { cacheFolder } from './cache-folder.js';

/** A prepared graph found on disk: its file, which onnxruntime opens by path, and what its preparation found. */
export interface CachedPreparedGraph<Prepared> {
  readonly path: string;
  readonly prepared: Prepared;
}

/**
 * Graphs as the edits prepared them (mask rows, per-input quantization, uint8 weights...), kept on
 * disk, so that a later load of the same model file with the same settings opens them as they are:
 * the edits, which read int8 weights to sum their columns or convert them, run once. Each entry is
 * the prepared graph (`<key>.onnx`, its weights still referring to the model's own file where the
 * edits left them there) and what the preparation found (`<key>.json`, written last, so an entry is
 * whole or absent). The key is fillmask's graph preparation (`preparedGraphVersion` and
 * @fillmask/onnx's version), the model file's real path, size and modification time, and the settings.
 */
export interface PreparedGraphCache {
  read<Prepared>(key: string): Promise<CachedPreparedGraph<Prepared> | undefined>;
  /** Writes an entry and returns the graph's path. */
  write<Prepared>(key: string, graph: Uint8Array, prepared: Prepared): Promise<string>;
  remove(key: string): Promise<void>;
}

export function preparedGraphCache(folder: string): PreparedGraphCache {
  const files = (key: string) => ({ graph: path.join(folder, `${key}.onnx`), found: path.join(folder, `${key}.json`) });
  return {
    async read<Prepared>(key: string) {
      const { graph, found } = files(key);
      const text = await readFile(found, 'utf8').catch(() => undefined);
      if (text === undefined || !(await stat(graph).catch(() => undefined))?.isFile()) return undefined;
      return { path: graph, prepared: JSON.parse(text) as Prepared };
    },
    async write(key, graphBytes, prepared) {
      const { graph, found } = files(key);
      await mkdir(folder, { recursive: true });
      // Each file is written beside its final name and renamed, so a reader never sees half of one.
      const suffix = `.${process.pid}.${Date.now()}.incomplete`;
      try {
        await writeFile(graph + suffix, graphBytes);
        await rename(graph + suffix, graph);
        // The bytes are in the graph file: the record keeps the rest.
        await writeFile(
          found + suffix,
          JSON.stringify(prepared, (_, value) => (value instanceof Uint8Array ? undefined : value)),
        );
        await rename(found + suffix, found);
      } catch (error) {
        await Promise.all([rm(graph + suffix, { force: true }), rm(found + suffix, { force: true })]);
        throw error;
      }
      return graph;
    },
    async remove(key) {
      const { graph, found } = files(key);
      await Promise.all([rm(found, { force: true }), rm(graph, { force: true })]);
    },
  };
}

/** The key of a model file's prepared graph with `settings` (what the preparation is asked for). */
export async function preparedGraphKey(realModelPath: string, settings: Readonly<Record<string, unknown>>): Promise<string> {
  const { size, mtimeMs } = await stat(realModelPath);
  const preparation = `${preparedGraphVersion} ${onnxPackageVersion()}`;
  return createHash('sha256')
    .update(`fillmask prepared graph ${preparation}\n${realModelPath}\0${size}\0${mtimeMs}\n${JSON.stringify(settings)}`)
    .digest('hex')
    .slice(0, 32);
}

function onnxPackageVersion(): string {
  return (createRequire(import.meta.url)('@fillmask/onnx/package.json') as { version: string }).version;
}

/** `$FILLMASK_CACHE/prepared-graphs`, else `$XDG_CACHE_HOME/fillmask/prepared-graphs`, else `~/.cache/fillmask/prepared-graphs`. */
export function defaultPreparedGraphCache(env: NodeJS.ProcessEnv = process.env): string {
  return cacheFolder('prepared-graphs', env);
}
