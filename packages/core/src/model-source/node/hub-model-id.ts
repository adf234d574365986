import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';

// huggingface_hub's rule: letters, digits, `_`, `.`, `-`; starts and ends with a letter, digit or `_`;
// at most 96 characters; no `--` or `..` (the cache folder name joins org and name with `--`).
const namePattern = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;

/** True for `name` or `org/name` as the Hub accepts them. */
export function isHubModelId(value: string): boolean {
  if (typeof value !== 'string' || value.includes('--') || value.includes('..')) return false;
  const parts = value.split('/');
  return parts.length <= 2 && parts.every((part) => namePattern.test(part));
}

export function assertHubModelId(value: string): void {
  if (!isHubModelId(value)) {
    throw new InvalidArgumentError({
      argument: 'model',
      value,
      expected: 'a Hub model id, "name" or "org/name" (letters, digits, ".", "_", "-")',
    });
  }
}
