import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { CachedBlob, CachedRepo } from './scan-hub-cache.js';

/** A blob whose content is not what its name (the Hub's etag) says. */
export interface DamagedBlob {
  readonly repo: CachedRepo;
  readonly blob: CachedBlob;
  readonly reason: string;
}

export interface VerifyReport {
  /** Blobs hashed and found right. */
  readonly verified: number;
  /** Blobs whose name allows no check (not an LFS SHA-256 nor a git blob SHA-1). */
  readonly unchecked: number;
  readonly damaged: readonly DamagedBlob[];
  /** Snapshot links whose blob is gone, as `<id>@<commit>/<path>`. */
  readonly broken: readonly { repo: CachedRepo; commit: string; path: string }[];
}

/**
 * Hashes every blob of the repositories against its name, as the Hub announced it: an LFS file's
 * SHA-256 (64 hex), a regular file's git blob SHA-1 (40 hex, `sha1("blob <size>\0" + content)`).
 */
export async function verifyHubCache(repos: readonly CachedRepo[]): Promise<VerifyReport> {
  let verified = 0;
  let unchecked = 0;
  const damaged: DamagedBlob[] = [];
  const broken: { repo: CachedRepo; commit: string; path: string }[] = [];
  for (const repo of repos) {
    for (const blob of repo.blobs) {
      const kind = /^[0-9a-f]{64}$/.test(blob.name) ? 'sha256' : /^[0-9a-f]{40}$/.test(blob.name) ? 'git-blob-sha1' : undefined;
      if (kind === undefined) {
        unchecked += 1;
        continue;
      }
      const actual = await hashFile(blob.path, kind, blob.size);
      if (actual === blob.name) verified += 1;
      else damaged.push({ repo, blob, reason: `its ${kind === 'sha256' ? 'SHA-256' : 'git blob SHA-1'} is ${actual}` });
    }
    for (const revision of repo.revisions) {
      for (const file of revision.files) if (!file.present) broken.push({ repo, commit: revision.commit, path: file.path });
    }
  }
  return { verified, unchecked, damaged, broken };
}

async function hashFile(filePath: string, kind: 'sha256' | 'git-blob-sha1', size: number): Promise<string> {
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-blob-sha1') hash.update(`blob ${size}\0`);
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
