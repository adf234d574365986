import { lstat, readdir, readFile, readlink, stat } from 'node:fs/promises';
import path from 'node:path';

/** A model repository in the Hub cache (huggingface_hub's layout), as `fillmask cache` sees it. */
export interface CachedRepo {
  /** `org/name` (or `name`). */
  readonly id: string;
  readonly folder: string;
  /** Blobs (complete files), by name (the etag). */
  readonly blobs: readonly CachedBlob[];
  readonly revisions: readonly CachedRevision[];
  /** Partial downloads: `<etag>.incomplete` (resumable), and temporary files (`*.incomplete.<random>`). */
  readonly incomplete: readonly CachedFile[];
  /** Bytes of blobs and partial downloads. */
  readonly size: number;
  readonly lastModified: Date | undefined;
}

export interface CachedFile {
  readonly path: string;
  readonly size: number;
  readonly modified: Date;
}

export interface CachedBlob extends CachedFile {
  readonly name: string;
  /** The snapshot files that link to it, as `<commit>/<path>`. */
  readonly usedBy: readonly string[];
}

export interface CachedRevision {
  readonly commit: string;
  /** The branches and tags (`refs/<name>`) that point to this commit: none for a detached revision. */
  readonly refs: readonly string[];
  readonly files: readonly SnapshotFile[];
  /** Bytes of the distinct blobs the revision uses. */
  readonly size: number;
}

export interface SnapshotFile {
  /** `/`-separated path inside the snapshot. */
  readonly path: string;
  readonly snapshotPath: string;
  /** The blob a link points to; undefined for a copy (where symlinks fail) or a link to no blob. */
  readonly blob: string | undefined;
  /** False for a link whose blob is gone. */
  readonly present: boolean;
}

/** Every model repository of the cache folder, sorted by id; an absent folder is an empty cache. */
export async function scanHubCache(cacheDir: string): Promise<CachedRepo[]> {
  const names = await readdir(cacheDir).catch(() => [] as string[]);
  const repos: CachedRepo[] = [];
  for (const name of names.sort()) {
    if (!name.startsWith('models--')) continue;
    repos.push(await scanRepo(path.join(cacheDir, name), name.slice('models--'.length).split('--').join('/')));
  }
  return repos;
}

async function scanRepo(folder: string, id: string): Promise<CachedRepo> {
  const blobsFolder = path.join(folder, 'blobs');
  const refs = await readRefs(path.join(folder, 'refs'));
  const commits = (await readdir(path.join(folder, 'snapshots')).catch(() => [] as string[])).sort();
  const usedBy = new Map<string, string[]>();
  const revisions: { commit: string; refs: string[]; files: SnapshotFile[] }[] = [];
  for (const commit of commits) {
    const snapshot = path.join(folder, 'snapshots', commit);
    const files: SnapshotFile[] = [];
    for (const file of await listFiles(snapshot)) {
      const snapshotPath = path.join(snapshot, ...file.split('/'));
      const info = await lstat(snapshotPath);
      let blob: string | undefined;
      if (info.isSymbolicLink()) {
        const target = path.resolve(path.dirname(snapshotPath), await readlink(snapshotPath));
        if (path.dirname(target) === blobsFolder) blob = path.basename(target);
      }
      const present = (await stat(snapshotPath).catch(() => undefined))?.isFile() ?? false;
      if (blob !== undefined) usedBy.set(blob, [...(usedBy.get(blob) ?? []), `${commit}/${file}`]);
      files.push({ path: file, snapshotPath, blob, present });
    }
    revisions.push({ commit, refs: refs.filter(([, target]) => target === commit).map(([name]) => name), files });
  }

  const blobs: CachedBlob[] = [];
  const incomplete: CachedFile[] = [];
  for (const name of (await readdir(blobsFolder).catch(() => [] as string[])).sort()) {
    const filePath = path.join(blobsFolder, name);
    const info = await stat(filePath).catch(() => undefined);
    if (!info?.isFile()) continue;
    const file = { path: filePath, size: info.size, modified: info.mtime };
    if (name.includes('.incomplete')) incomplete.push(file);
    else blobs.push({ ...file, name, usedBy: usedBy.get(name) ?? [] });
  }
  const blobSizes = new Map(blobs.map((blob) => [blob.name, blob.size]));
  const all = [...blobs, ...incomplete];
  const lastModified = all.length === 0 ? undefined : new Date(Math.max(...all.map((file) => file.modified.getTime())));
  return {
    id,
    folder,
    blobs,
    incomplete,
    revisions: revisions.map((revision) => ({
      ...revision,
      size: [...new Set(revision.files.map((file) => file.blob).filter((blob) => blob !== undefined))].reduce(
        (sum, blob) => sum + (blobSizes.get(blob) ?? 0),
        0,
      ),
    })),
    size: all.reduce((sum, file) => sum + file.size, 0),
    lastModified,
  };
}

/** `refs/<name>` files (nested for `refs/pr/1`) and the commit each holds. */
async function readRefs(folder: string): Promise<[string, string][]> {
  const refs: [string, string][] = [];
  for (const name of await listFiles(folder)) {
    if (name.includes('.incomplete')) continue;
    const commit = (await readFile(path.join(folder, ...name.split('/')), 'utf8').catch(() => '')).trim();
    if (commit !== '') refs.push([name, commit]);
  }
  return refs;
}

/** Files under a folder (links included, not followed), `/`-separated, relative to it, sorted. */
async function listFiles(folder: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(folder, ...prefix.split('/').filter(Boolean)), { withFileTypes: true }).catch(() => []);
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(folder, relative)));
    else files.push(relative);
  }
  return files.sort();
}
