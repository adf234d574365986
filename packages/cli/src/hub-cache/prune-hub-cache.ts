import { readdir, readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { CachedRepo } from './scan-hub-cache.js';

/** What `fillmask cache prune` removes (or would remove, with --dry-run). */
export interface PrunePlan {
  /** Partial downloads no live process is writing: `<etag>.incomplete` and temporary files. */
  readonly incomplete: readonly string[];
  /** Snapshots no branch or tag points to any more (detached revisions, as `hf cache prune` calls them). */
  readonly revisions: readonly string[];
  /** Blobs no remaining snapshot links to. */
  readonly blobs: readonly string[];
  /** Lock files whose owner is gone. */
  readonly locks: readonly string[];
  /** Bytes given back. */
  readonly bytes: number;
}

/**
 * Plans the removal of what no run will read: partial downloads not being written (no live lock on
 * their blob), detached revisions (a commit no ref points to, once a branch moved on; a cache with no
 * refs at all, pinned by commit only, keeps its snapshots), the blobs only they used, and abandoned locks.
 */
export async function planPrune(cacheDir: string, repos: readonly CachedRepo[]): Promise<PrunePlan> {
  const incomplete: string[] = [];
  const revisions: string[] = [];
  const blobs: string[] = [];
  const locks: string[] = [];
  let bytes = 0;
  for (const repo of repos) {
    const locksFolder = path.join(cacheDir, '.locks', path.basename(repo.folder));
    for (const file of repo.incomplete) {
      const etag = path.basename(file.path).replace(/\.incomplete.*$/, '');
      if (await isLockedByLiveProcess(path.join(locksFolder, `${etag}.lock`))) continue;
      incomplete.push(file.path);
      bytes += file.size;
    }
    const hasRefs = repo.revisions.some((revision) => revision.refs.length > 0);
    const removed = new Set(
      hasRefs ? repo.revisions.filter((revision) => revision.refs.length === 0).map((revision) => revision.commit) : [],
    );
    for (const commit of removed) revisions.push(path.join(repo.folder, 'snapshots', commit));
    for (const blob of repo.blobs) {
      const kept = blob.usedBy.some((use) => !removed.has(use.split('/')[0]));
      if (kept) continue;
      blobs.push(blob.path);
      bytes += blob.size;
    }
    for (const name of await readdir(locksFolder).catch(() => [] as string[])) {
      const lockPath = path.join(locksFolder, name);
      if (!(await isLockedByLiveProcess(lockPath))) locks.push(lockPath);
    }
  }
  return { incomplete, revisions, blobs, locks, bytes };
}

export async function applyPrune(plan: PrunePlan): Promise<void> {
  for (const target of [...plan.incomplete, ...plan.revisions, ...plan.blobs, ...plan.locks]) {
    await rm(target, { recursive: true, force: true });
  }
}

/** Whether a blob lock is held: its owner (same machine) alive and its heartbeat recent. */
async function isLockedByLiveProcess(lockPath: string): Promise<boolean> {
  const info = await stat(lockPath).catch(() => undefined);
  if (info === undefined) return false;
  if (Date.now() - info.mtimeMs > 30_000) return false;
  try {
    const { pid } = JSON.parse(await readFile(lockPath, 'utf8')) as { pid?: unknown };
    if (typeof pid !== 'number') return true;
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
