import type { Stats } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isSafeCacheName } from './hub-revision.js';
import { incompleteFileName } from './incomplete-file-name.js';
import { isMissingFileError } from './is-missing-file-error.js';

/**
 * One model's folder in the Hub cache, in huggingface_hub's layout so that Python and fillmask share
 * downloads:
 *
 * ```
 * models--{org}--{name}/blobs/{etag}                   file contents, named by their etag
 * models--{org}--{name}/snapshots/{commit}/{path}      symlinks to the blobs (copies where symlinks fail)
 * models--{org}--{name}/refs/{revision}                the commit a branch or tag pointed to last
 * models--{org}--{name}/.no_exist/{commit}/{path}      empty markers: the commit has no such file
 * ```
 */
export class HubRepoCache {
  readonly folder: string;
  readonly blobsFolder: string;
  /** huggingface_hub's lock folder for this repository: `<cache>/.locks/models--{org}--{name}`. */
  readonly locksFolder: string;

  constructor(
    readonly cacheDir: string,
    modelId: string,
  ) {
    const folderName = `models--${modelId.split('/').join('--')}`;
    this.folder = path.join(cacheDir, folderName);
    this.blobsFolder = path.join(this.folder, 'blobs');
    this.locksFolder = path.join(cacheDir, '.locks', folderName);
  }

  blobPath(etag: string): string {
    return path.join(this.blobsFolder, etag);
  }

  /** Where a blob's bytes go while it downloads, as huggingface_hub names it: resumed by either. */
  incompletePath(etag: string): string {
    return path.join(this.blobsFolder, `${etag}.incomplete`);
  }

  /** The lock held while a blob downloads, where huggingface_hub puts it. */
  lockPath(etag: string): string {
    return path.join(this.locksFolder, `${etag}.lock`);
  }

  snapshotPath(commit: string, file: string): string {
    return path.join(this.folder, 'snapshots', ...commit.split('/'), ...file.split('/'));
  }

  /** The snapshot file when it is cached and complete (a symlink whose blob is gone does not count). */
  async findSnapshotFile(commit: string, file: string): Promise<{ path: string; size: number } | undefined> {
    const snapshotPath = this.snapshotPath(commit, file);
    const info = await statOrUndefined(snapshotPath);
    return info?.isFile() ? { path: snapshotPath, size: info.size } : undefined;
  }

  async hasBlob(etag: string): Promise<boolean> {
    return (await statOrUndefined(this.blobPath(etag)))?.isFile() ?? false;
  }

  /** The commit a branch or tag pointed to when last seen online, if it was. */
  async readRef(revision: string): Promise<string | undefined> {
    try {
      const commit = (await readFile(this.refPath(revision), 'utf8')).trim();
      return isSafeCacheName(commit) ? commit : undefined;
    } catch (error) {
      if (isMissingFileError(error)) return undefined;
      throw error;
    }
  }

  async writeRef(revision: string, commit: string): Promise<void> {
    if ((await this.readRef(revision)) === commit) return;
    const refPath = this.refPath(revision);
    await mkdir(path.dirname(refPath), { recursive: true });
    // Write then rename: a reader never sees a half-written ref.
    const temporary = incompleteFileName(refPath);
    try {
      await writeFile(temporary, commit);
      await rename(temporary, refPath);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  async hasNoExistMarker(commit: string, file: string): Promise<boolean> {
    return (await statOrUndefined(this.noExistPath(commit, file))) !== undefined;
  }

  /** Remembers that a commit has no such file, so later lookups need no request (as huggingface_hub does). */
  async writeNoExistMarker(commit: string, file: string): Promise<void> {
    const markerPath = this.noExistPath(commit, file);
    await mkdir(path.dirname(markerPath), { recursive: true });
    await writeFile(markerPath, '');
  }

  private refPath(revision: string): string {
    return path.join(this.folder, 'refs', ...revision.split('/'));
  }

  private noExistPath(commit: string, file: string): string {
    return path.join(this.folder, '.no_exist', commit, ...file.split('/'));
  }
}

async function statOrUndefined(filePath: string): Promise<Stats | undefined> {
  try {
    return await stat(filePath);
  } catch (error) {
    if (isMissingFileError(error)) return undefined;
    throw error;
  }
}
