/** True for the file system errors that mean "nothing there": ENOENT, or ENOTDIR when a parent is a file. */
export function isMissingFileError(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
