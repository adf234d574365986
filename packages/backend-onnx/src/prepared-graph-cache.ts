import { createHash, randomBytes } from 'node:crypto';
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
  /** The entry, when whole: its graph file as written, and what was found that `accepts` takes for it. */
  read<Prepared>(key: string, accepts: (prepared: unknown) => boolean): Promise<CachedPreparedGraph<Prepared> | undefined>;
  /** Writes an entry for the model file `model` and returns the graph's path. */
  write<Prepared>(key: string, model: ModelFileIdentity, graph: Uint8Array, prepared: Prepared): Promise<string>;
  remove(key: string): Promise<void>;
}

/**
 * A model file as the cache knows it: its real path, device and inode, size, and modification and
 * change times (a file replaced by a copy of the same size that kept the old one's modification
 * time, as `cp -p` and `rsync -a` do, still has another inode or change time).
 */
export interface ModelFileIdentity {
  readonly path: string;
  readonly dev: number;
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
}

interface EntryRecord<Prepared> {
  readonly preparation: string;
  readonly model: ModelFileIdentity;
  /** The graph file as written (a changed or cut file is no entry). */
  readonly graph: { readonly size: number; readonly mtimeMs: number };
  readonly prepared: Prepared;
}

/** The cache's own file names: `<key>.json`, `<key>.onnx`, and what a write leaves while it runs. */
const entryFile = /^([0-9a-f]{32})\.(json|onnx)(\.\d+\.\d+\.[0-9a-f]+\.incomplete)?$/;

/** Files left by a write that did not finish are removed once this old. */
const abandonedAfterMs = 60 * 60 * 1000;

export function preparedGraphCache(folder: string): PreparedGraphCache {
  const files = (key: string) => ({ graph: path.join(folder, `${key}.onnx`), record: path.join(folder, `${key}.json`) });
  const remove = async (key: string) => {
    const { graph, record } = files(key);
    await Promise.all([rm(record, { force: true }), rm(graph, { force: true })]);
  };
  return {
    async read<Prepared>(key: string, accepts: (prepared: unknown) => boolean) {
      const { graph, record } = files(key);
      const entry = await readRecord<unknown>(record);
      const written = await stat(graph).catch(() => undefined);
      if (!entry || !accepts(entry.prepared) || !written?.isFile()) return undefined;
      if (written.size !== entry.graph?.size || Math.round(written.mtimeMs) !== entry.graph?.mtimeMs) return undefined;
      return { path: graph, prepared: entry.prepared as Prepared };
    },
    async write(key, model, graphBytes, prepared) {
      const { graph, record } = files(key);
      await mkdir(folder, { recursive: true });
      // Each file is written beside its final name and renamed, so a reader never sees half of one.
      const suffix = `.${process.pid}.${Date.now()}.${randomBytes(4).toString('hex')}.incomplete`;
      try {
        await writeFile(graph + suffix, graphBytes);
        const { size, mtimeMs } = await stat(graph + suffix);
        // To the millisecond: the precision every tool that sets times keeps.
        await rename(graph + suffix, graph);
        // The bytes are in the graph file: the record keeps the rest.
        const entry: EntryRecord<typeof prepared> = {
          preparation: preparation(),
          model,
          graph: { size, mtimeMs: Math.round(mtimeMs) },
          prepared,
        };
        await writeFile(record + suffix, JSON.stringify(entry, withoutBytes));
        await rename(record + suffix, record);
      } catch (error) {
        await Promise.all([rm(graph + suffix, { force: true }), rm(record + suffix, { force: true })]);
        throw error;
      }
      // Best effort: an entry written is kept even if another cannot be removed.
      await removeStaleEntries(folder, remove).catch(() => undefined);
      return graph;
    },
    remove,
  };
}

/**
 * Removes the entries of another preparation, or whose model file is gone or changed, and what
 * unfinished writes left long ago. Only the cache's own file names are touched.
 */
async function removeStaleEntries(folder: string, remove: (key: string) => Promise<void>): Promise<void> {
  const names = (await readdir(folder).catch(() => [] as string[])).filter((name) => entryFile.test(name));
  const current = new Set<string>();
  for (const name of names.filter((candidate) => candidate.endsWith('.json'))) {
    const key = name.slice(0, -'.json'.length);
    const record = await readRecord<unknown>(path.join(folder, name));
    const model = record?.model;
    const now = model && (await modelFileIdentity(String(model.path)).catch(() => undefined));
    if (record?.preparation === preparation() && now && sameFile(now, model)) current.add(key);
    else await remove(key);
  }
  for (const name of names.filter((candidate) => !candidate.endsWith('.json'))) {
    if (name.endsWith('.onnx') && current.has(name.slice(0, -'.onnx'.length))) continue;
    const info = await stat(path.join(folder, name)).catch(() => undefined);
    if (info?.isFile() && Date.now() - info.mtimeMs > abandonedAfterMs) await rm(path.join(folder, name), { force: true });
  }
}

/** A record as it lies on disk, unchecked; undefined for anything but a regular file of JSON. */
async function readRecord<Prepared>(file: string): Promise<Partial<EntryRecord<Prepared>> | undefined> {
  if (!(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  return readFile(file, 'utf8')
    .then((text) => JSON.parse(text) as Partial<EntryRecord<Prepared>> | null)
    .then((record) => (typeof record === 'object' && record !== null ? record : undefined))
    .catch(() => undefined);
}

function sameFile(a: ModelFileIdentity, b: ModelFileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs && a.ctimeMs === b.ctimeMs;
}

/** A JSON replacer for what `prepared` is once kept and read back: its bytes (the graph, which is in its own file) left out. */
export function withoutBytes(_: string, value: unknown): unknown {
  return value instanceof Uint8Array ? undefined : value;
}

/** A model file's identity, from its real path. */
export async function modelFileIdentity(realPath: string): Promise<ModelFileIdentity> {
  const { dev, ino, size, mtimeMs, ctimeMs } = await stat(realPath);
  return { path: realPath, dev, ino, size, mtimeMs, ctimeMs };
}

/** The key of a model file's prepared graph with `settings` (what the preparation is asked for). */
export function preparedGraphKey(model: ModelFileIdentity, settings: Readonly<Record<string, unknown>>): string {
  return createHash('sha256')
    .update(`fillmask prepared graph ${preparation()}\n${JSON.stringify(model)}\n${JSON.stringify(settings)}`)
    .digest('hex')
    .slice(0, 32);
}

/**
 * The graph preparation entries are made by: `preparedGraphVersion` and @fillmask/onnx's version, read
 * from its package.json (which throws where it cannot be read, as in some bundles: the caller then keeps nothing).
 */
function preparation(): string {
  const { version } = createRequire(import.meta.url)('@fillmask/onnx/package.json') as { version: string };
  return `${preparedGraphVersion} ${version}`;
}

/** `$FILLMASK_CACHE/prepared-graphs`, else `$XDG_CACHE_HOME/fillmask/prepared-graphs`, else `~/.cache/fillmask/prepared-graphs`. */
export function defaultPreparedGraphCache(env: NodeJS.ProcessEnv = process.env): string {
  return cacheFolder('prepared-graphs', env);
}
