import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';

const commitPattern = /^[0-9a-f]{40}$/;

/** True for a full commit hash: such a revision never moves, so its cached files need no network. */
export function isCommitHash(revision: string): boolean {
  return commitPattern.test(revision);
}

/**
 * True when a name is safe as one or more cache path segments: a revision (`main`, `v1.0`,
 * `refs/pr/1`), a commit, or an etag. Values from the network go through it before touching the disk.
 */
export function isSafeCacheName(name: string): boolean {
  return (
    name.length > 0 &&
    name.length <= 256 &&
    !/[\\\0:*?"<>|\s]/.test(name) &&
    name.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..')
  );
}

/** Checks a branch, tag or commit hash given as `revision`. */
export function assertRevision(revision: string): void {
  if (typeof revision !== 'string' || !isSafeCacheName(revision)) {
    throw new InvalidArgumentError({
      argument: 'revision',
      value: revision,
      expected: 'a branch, tag or commit hash, e.g. "main" or a 40-character commit',
    });
  }
}
