import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';

/** What a blob's content must hash to, from its etag (the name huggingface_hub gives blobs). */
export type BlobDigest = { readonly kind: 'sha256' | 'git-blob-sha1'; readonly hex: string };

const sha256Pattern = /^[0-9a-f]{64}$/;
const sha1Pattern = /^[0-9a-f]{40}$/;

/**
 * The check an etag allows: an LFS object id (64 hex) is the SHA-256 of the content, a regular
 * file's ETag (40 hex) the git blob SHA-1 (`sha1("blob <size>\0" + content)`), as on the Hub. Any
 * other etag (a proxy's, say) says nothing checkable.
 */
export function digestOfEtag(etag: string): BlobDigest | undefined {
  if (sha256Pattern.test(etag)) return { kind: 'sha256', hex: etag };
  if (sha1Pattern.test(etag)) return { kind: 'git-blob-sha1', hex: etag };
  return undefined;
}

/** The digest of a file of the given kind. */
export async function hashFile(filePath: string, kind: BlobDigest['kind']): Promise<string> {
  const hash = createHash(kind === 'sha256' ? 'sha256' : 'sha1');
  if (kind === 'git-blob-sha1') hash.update(`blob ${(await stat(filePath)).size}\0`);
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Undefined when the file matches the digest, else what is wrong, for messages. */
export async function checkFileDigest(filePath: string, digest: BlobDigest): Promise<string | undefined> {
  const actual = await hashFile(filePath, digest.kind);
  if (actual === digest.hex) return undefined;
  return digest.kind === 'sha256'
    ? `its SHA-256 is ${actual}, the Hub announced ${digest.hex}`
    : `its git blob SHA-1 is ${actual}, the Hub announced ${digest.hex} (its ETag)`;
}
