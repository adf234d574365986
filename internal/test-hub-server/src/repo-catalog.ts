import { createHash } from 'node:crypto';

/** One model repository the test Hub serves, from a local folder in the Hugging Face layout. */
export interface HubServerRepo {
  /** The folder served as the `main` revision. */
  readonly folder: string;
  /** The commit hash of `main` (40 hex); default derived from the model id. */
  readonly commit?: string;
  /** Gated like a model whose terms must be accepted: every request needs the server's token. */
  readonly gated?: boolean;
  /**
   * More revisions: a branch or tag name, or a 40-hex commit hash, mapped to the folder it serves. A
   * name gets a commit derived from the model id and the name; `resolve/<that commit>/...` works too.
   */
  readonly revisions?: Readonly<Record<string, string>>;
}

/** What one revision of a repository resolves to. */
export interface ResolvedRevision {
  readonly commit: string;
  readonly folder: string;
}

const commitPattern = /^[0-9a-f]{40}$/;

/** The commit the test Hub reports for a revision name (stable across runs, distinct per model and name). */
export function derivedCommit(modelId: string, revision: string): string {
  return createHash('sha1').update(`test-hub-server\0${modelId}\0${revision}`).digest('hex');
}

/** Every revision of the repository, `main` included, by name and by commit. */
export function listRevisions(modelId: string, repo: HubServerRepo): Map<string, ResolvedRevision> {
  const revisions = new Map<string, ResolvedRevision>();
  const add = (name: string, resolved: ResolvedRevision): void => {
    revisions.set(name, resolved);
    revisions.set(resolved.commit, resolved);
  };
  add('main', { commit: repo.commit ?? derivedCommit(modelId, 'main'), folder: repo.folder });
  for (const [name, folder] of Object.entries(repo.revisions ?? {})) {
    add(name, { commit: commitPattern.test(name) ? name : derivedCommit(modelId, name), folder });
  }
  return revisions;
}
