/**
 * Whether a path names a file inside a model folder: relative, `/`-separated, no empty, `.` or `..`
 * segment, so that it can never reach outside the model folder or the cache.
 */
export function isModelFilePath(file: unknown): file is string {
  return (
    typeof file === 'string' &&
    file.length > 0 &&
    !file.includes('\\') &&
    !file.includes('\0') &&
    file.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..')
  );
}
