import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
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
 * edits left them there) and a record of the model file and of what the preparation found
 * (`<key>.json`, written last, so an entry is whole or absent). The key is fillmask's graph
 * preparation (`preparedGraphVersion` and @fillmask/onnx's version), the model file's real path,
 * size and modification time, and the settings. Writing an entry removes those whose model file is
 * gone or changed, so the cache holds at most one entry per model file and settings.
 */
export interface PreparedGraphCache {
  read<Prepared>(key: string): Promise<CachedPreparedGraph<Prepared> | undefined>;
  /** Writes an entry for the model file `model` and returns the graph's path. */
  write<Prepared>(key: string, model: ModelFileIdentity, graph: Uint8Array, prepared: Prepared): Promise<string>;
  remove(key: string): Promise<void>;
}

/** A model file as the cache knows it: its real path, size and modification time. */
export interface ModelFileIdentity {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

interface EntryRecord<Prepared> {
  readonly model: ModelFileIdentity;
  readonly prepared: Prepared;
}

/** Files left by a write that did not finish are removed once this old. */
const abandonedAfterMs = 60 * 60 * 1000;

export function preparedGraphCache(folder: string): PreparedGraphCache {
  const files = (key: string) => ({ graph: path.join(folder, `${key}.onnx`), record: path.join(folder, `${key}.json`) });
  const remove = async (key: string) => {
    const { graph, record } = files(key);
    await Promise.all([rm(record, { force: true }), rm(graph, { force: true })]);
  };
  return {
    async read<Prepared>(key: string) {
      const { graph, record } = files(key);
      const text = await readFile(record, 'utf8').catch(() => undefined);
      if (text === undefined || !(await stat(graph).catch(() => undefined))?.isFile()) return undefined;
      return { path: graph, prepared: (JSON.parse(text) as EntryRecord<Prepared>).prepared };
    },
    async write(key, model, graphBytes, prepared) {
      const { graph, record } = files(key);
      await mkdir(folder, { recursive: true });
      // Each file is written beside its final name and renamed, so a reader never sees half of one.
      const suffix = `.${process.pid}.${Date.now()}.incomplete`;
      try {
        await writeFile(graph + suffix, graphBytes);
        await rename(graph + suffix, graph);
        // The bytes are in the graph file: the record keeps the rest.
        const entry: EntryRecord<typeof prepared> = { model, prepared };
        await writeFile(
          record + suffix,
          JSON.stringify(entry, (_, value) => (value instanceof Uint8Array ? undefined : value)),
        );
        await rename(record + suffix, record);
      } catch (error) {
        await Promise.all([rm(graph + suffix, { force: true }), rm(record + suffix, { force: true })]);
        throw error;
      }
      await removeStaleEntries(folder, remove);
      return graph;
    },
    remove,
  };
}

/** Removes the entries whose model file is gone or changed, and what unfinished writes left long ago. */
async function removeStaleEntries(folder: string, remove: (key: string) => Promise<void>): Promise<void> {
  const names = await readdir(folder).catch(() => [] as string[]);
  const recorded = new Set<string>();
  for (const name of names.filter((candidate) => candidate.endsWith('.json'))) {
    const key = name.slice(0, -'.json'.length);
    const record = await readFile(path.join(folder, name), 'utf8')
      .then((text) => JSON.parse(text) as Partial<EntryRecord<unknown>>)
      .catch(() => undefined);
    const model = record?.model;
    const current = model && (await modelFileIdentity(model.path).catch(() => undefined));
    if (current && current.size === model.size && current.mtimeMs === model.mtimeMs) recorded.add(key);
    else await remove(key);
  }
  for (const name of names.filter((candidate) => !candidate.endsWith('.json'))) {
    if (name.endsWith('.onnx') && recorded.has(name.slice(0, -'.onnx'.length))) continue;
    const info = await stat(path.join(folder, name)).catch(() => undefined);
    if (info && Date.now() - info.mtimeMs > abandonedAfterMs) await rm(path.join(folder, name), { force: true });
  }
}

/** A model file's identity, from its real path. */
export async function modelFileIdentity(realPath: string): Promise<ModelFileIdentity> {
  const { size, mtimeMs } = await stat(realPath);
  return { path: realPath, size, mtimeMs };
}

/** The key of a model file's prepared graph with `settings` (what the preparation is asked for). */
export function preparedGraphKey(model: ModelFileIdentity, settings: Readonly<Record<string, unknown>>): string {
  const preparation = `${preparedGraphVersion} ${onnxPackageVersion()}`;
  return createHash('sha256')
    .update(`fillmask prepared graph ${preparation}\n${model.path}\0${model.size}\0${model.mtimeMs}\n${JSON.stringify(settings)}`)
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
