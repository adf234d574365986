import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';

/** A served file with the hashes the Hub and its CDN put in their headers. */
export interface FileDigests {
  readonly content: Buffer;
  /** Git LFS object id: the `X-Linked-Etag` of LFS files. */
  readonly sha256: string;
  /** Git blob id: the `ETag` of small files. */
  readonly gitBlobSha1: string;
  /** What an S3-like CDN sends as its own `ETag`: deliberately unlike the Hub's, as in production. */
  readonly md5: string;
}

const cache = new Map<string, { key: string; digests: FileDigests }>();

/** Reads a file and hashes it, once per version of the file (the test fixtures are a few MB at most). */
export async function fileDigests(absolutePath: string): Promise<FileDigests> {
  const info = await stat(absolutePath);
  const key = `${info.size}:${info.mtimeMs}`;
  const cached = cache.get(absolutePath);
  if (cached?.key === key) return cached.digests;
  const content = await readFile(absolutePath);
  const digests: FileDigests = {
    content,
    sha256: createHash('sha256').update(content).digest('hex'),
    gitBlobSha1: createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex'),
    md5: createHash('md5').update(content).digest('hex'),
  };
  cache.set(absolutePath, { key, digests });
  return digests;
}
