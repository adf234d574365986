import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { incompleteMarker } from './incomplete-file-name.js';

// A live download rewrites its file every few milliseconds; one untouched this long was abandoned
// (the process crashed or was killed). Younger ones may belong to another process: leave them.
const staleAfterMs = 60 * 60 * 1000;

/**
 * Deletes temporary download files that a crashed process left in a blobs folder. They are never
 * read as blobs anyway; this only gives the disk space back. huggingface_hub's own `<etag>.incomplete`
 * files are left alone: Python resumes them. Best effort: failures are ignored.
 */
export async function removeStaleDownloads(blobsFolder: string, now = Date.now()): Promise<void> {
  let names: string[];
  try {
    names = await readdir(blobsFolder);
  } catch {
    return;
  }
  await Promise.all(
    names
      .filter((name) => name.includes(incompleteMarker))
      .map(async (name) => {
        const filePath = path.join(blobsFolder, name);
        try {
          if (now - (await stat(filePath)).mtimeMs > staleAfterMs) await rm(filePath, { force: true });
        } catch {
          // Gone already, or not ours to delete.
        }
      }),
  );
}
