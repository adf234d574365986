/** What the Hub's headers say about a file at a revision. */
export interface HubFileMetadata {
  /** `X-Repo-Commit`: the commit the revision resolved to. */
  readonly commit: string | undefined;
  /** `X-Linked-Etag` (LFS files) else `ETag`, without quotes or `W/`: the name of the blob in the cache. */
  readonly etag: string | undefined;
  /** `X-Linked-Size`: the size of an LFS file (the Content-Length of a redirect is not the file's). */
  readonly size: number | undefined;
  /** The SHA-256 of the content, when the etag is an LFS object id: the download is checked against it. */
  readonly sha256: string | undefined;
}

// Etags and commits become file and folder names: anything else from the network is ignored.
const safeNamePattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,255}$/;
const sha256Pattern = /^[0-9a-f]{64}$/;

/** Reads the metadata from the Hub-origin responses of one request; later responses (after a redirect) win. */
export function readHubFileMetadata(hubHeaders: readonly Headers[]): HubFileMetadata {
  let commit: string | undefined;
  let etag: string | undefined;
  let size: number | undefined;
  let linked = false;
  for (const headers of hubHeaders) {
    commit = safeName(headers.get('x-repo-commit')) ?? commit;
    const linkedEtag = normalizeEtag(headers.get('x-linked-etag'));
    const candidate = linkedEtag ?? normalizeEtag(headers.get('etag'));
    if (candidate !== undefined) {
      etag = candidate;
      linked = linkedEtag !== undefined;
    }
    size = parseSize(headers.get('x-linked-size')) ?? size;
  }
  return { commit, etag, size, sha256: linked && etag !== undefined && sha256Pattern.test(etag) ? etag : undefined };
}

/** `W/"abc"` and `"abc"` → `abc`, as huggingface_hub names blobs. */
export function normalizeEtag(value: string | null): string | undefined {
  if (value === null) return undefined;
  return safeName(value.trim().replace(/^W\//, '').replace(/^"|"$/g, ''));
}

/** A Content-Length-like header as a byte count. */
export function parseSize(value: string | null): number | undefined {
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  const size = Number(value.trim());
  return Number.isSafeInteger(size) ? size : undefined;
}

function safeName(value: string | null): string | undefined {
  return value !== null && safeNamePattern.test(value) ? value : undefined;
}
