import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isMissingFileError } from './is-missing-file-error.js';

/**
 * Every file under a folder as `/`-separated paths relative to it, sorted; symlinked files count (a
 * Hub snapshot is made of them), hidden folders (`.git`, `.cache`) do not. Undefined when the folder
 * does not exist.
 */
export async function listFolderFiles(folder: string): Promise<string[] | undefined> {
  const files: string[] = [];
  const visit = async (relative: string): Promise<boolean> => {
    let entries: Dirent[];
    try {
      entries = await readdir(path.join(folder, ...relative.split('/').filter(Boolean)), { withFileTypes: true });
    } catch (error) {
      if (isMissingFileError(error) || (error as NodeJS.ErrnoException).code === 'ENOTDIR') return false;
      throw error;
    }
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.')) await visit(child);
      } else if (entry.isFile() || entry.isSymbolicLink()) files.push(child);
    }
    return true;
  };
  if (!(await visit(''))) return undefined;
  return files.sort();
}
