// The Hub's rule: letters, digits, `_`, `.`, `-`; starts and ends with a letter, digit or `_`;
// at most 96 characters; no `--` or `..`.
const namePattern = /^[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,94}[A-Za-z0-9_])?$/;

/** True for `name` or `org/name` as the Hub accepts them. */
export function isWebHubModelId(value: string): boolean {
  if (value.includes('--') || value.includes('..')) return false;
  const parts = value.split('/');
  return parts.length <= 2 && parts.every((part) => namePattern.test(part));
}
