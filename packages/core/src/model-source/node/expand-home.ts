import { homedir } from 'node:os';
import path from 'node:path';

/** Expands `~` and `~/...` (not `~user`) to the home folder, as a shell or Python's `expanduser` would. */
export function expandHome(folder: string): string {
  if (folder === '~') return homedir();
  if (folder.startsWith('~/') || folder.startsWith('~\\')) return path.join(homedir(), folder.slice(2));
  return folder;
}
