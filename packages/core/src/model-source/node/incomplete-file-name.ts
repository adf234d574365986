import { randomBytes } from 'node:crypto';

/** In the names of files being written: such files are never read, and stale ones are removed. */
export const incompleteMarker = '.incomplete.';

/**
 * A temporary name beside `finalPath`, unique per writer, so that the file appears under its real
 * name only by an atomic rename once it is complete.
 */
export function incompleteFileName(finalPath: string): string {
  return `${finalPath}${incompleteMarker}${randomBytes(6).toString('hex')}`;
}
