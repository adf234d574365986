import { isModelFilePath } from './is-model-file-path.js';

/** What fillmask reads of the Hub's model info at a revision. */
export interface RevisionInfo {
  /** The commit the revision points to (`sha`). */
  readonly commit?: string;
  /** Every file of the revision (`siblings[].rfilename`), sorted. */
  readonly files: readonly string[];
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
  return { ...(typeof sha === 'string' && /^[0-9a-f]{40}$/.test(sha) && { commit: sha }), files };
}
