import { isModelFilePath } from './is-model-file-path.js';

/** What fillmask reads of the Hub's model info at a revision. */
export interface RevisionInfo {
  /** The commit the revision points to (`sha`). */
  readonly commit?: string;
  /** Every file of the revision (`siblings[].rfilename`), sorted. */
  readonly files: readonly string[];
  /**
   * What each file's content must be, where the answer says (`?blobs=true`: `size`, `blobId`, the
   * git blob SHA-1 of a regular file, and `lfs.sha256` of an LFS file), by path.
   */
  readonly blobs?: ReadonlyMap<string, ExpectedBlob>;
}

/** What a file's bytes must be: its size and one digest. */
export interface ExpectedBlob {
  readonly size?: number;
  readonly digest?: { readonly kind: 'sha256' | 'git-blob-sha1'; readonly hex: string };
}

/** Reads `GET /api/models/{id}/revision/{revision}`'s answer; undefined when it is not one. */
export function parseRevisionInfo(body: unknown): RevisionInfo | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { sha, siblings } = body as { sha?: unknown; siblings?: unknown };
  if (!Array.isArray(siblings)) return undefined;
  const files = siblings
    .map((sibling: unknown) =>
      typeof sibling === 'object' && sibling !== null ? (sibling as { rfilename?: unknown }).rfilename : undefined,
    )
    .filter(isModelFilePath)
    .sort();
  const blobs = new Map<string, ExpectedBlob>();
  for (const sibling of siblings as unknown[]) {
    if (typeof sibling !== 'object' || sibling === null) continue;
    const { rfilename, size, blobId, lfs } = sibling as { rfilename?: unknown; size?: unknown; blobId?: unknown; lfs?: unknown };
    if (!isModelFilePath(rfilename)) continue;
    const lfsInfo = typeof lfs === 'object' && lfs !== null ? (lfs as { sha256?: unknown; size?: unknown }) : undefined;
    const byteSize = [lfsInfo?.size, size].find((value): value is number => Number.isSafeInteger(value) && (value as number) >= 0);
    let digest: ExpectedBlob['digest'];
    if (lfsInfo !== undefined) {
      if (typeof lfsInfo.sha256 === 'string' && /^[0-9a-f]{64}$/.test(lfsInfo.sha256)) digest = { kind: 'sha256', hex: lfsInfo.sha256 };
    } else if (typeof blobId === 'string' && /^[0-9a-f]{40}$/.test(blobId)) {
      digest = { kind: 'git-blob-sha1', hex: blobId };
    }
    if (byteSize !== undefined || digest !== undefined) blobs.set(rfilename, { size: byteSize, digest });
  }
  return {
    ...(typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) && { commit: sha }),
    files,
    ...(blobs.size > 0 && { blobs }),
  };
}
