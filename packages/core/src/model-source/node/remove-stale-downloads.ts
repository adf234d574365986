import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { incompleteMarker } from './incomplete-file-name.js';

// A live download rewrites its file every few milliseconds; one untouched this long was abandoned
// (the process crashed or was killed). Younger ones may belong to another process: leave them.
const staleAfterMs = 60 * 60 * 1000;
// A partial blob (`<etag>.incomplete`, huggingface_hub's name) is kept to be resumed, by fillmask or
// Python, the next time that blob is downloaded; untouched this long, nobody will.
const resumableStaleAfterMs = 7 * 24 * 60 * 60 * 1000;

/**
 * Deletes temporary download files that a crashed process left in a blobs folder: write-then-rename
 * temporaries (`*.incomplete.<random>`) untouched for an hour, partial blobs (`<etag>.incomplete`)
 * untouched for a week. They are never read as blobs anyway; this only gives the disk space back
 * (`fillmask cache prune` does it at once). Best effort: failures are ignored.
 */
export async function removeStaleDownloads(blobsFolder: string, now = Date.now()): Promise<void> {
  let names: string[];
  try {
    names = await readdir(blobsFolder);
  } catch {
    return;
  }
  await Promise.all(
    names.map(async (name) => {
      const maxAgeMs = name.includes(incompleteMarker) ? staleAfterMs : name.endsWith('.incomplete') ? resumableStaleAfterMs : undefined;
      if (maxAgeMs === undefined) return;
      const filePath = path.join(blobsFolder, name);
      try {
        if (now - (await stat(filePath)).mtimeMs > maxAgeMs) await rm(filePath, { force: true });
      } catch {
        // Gone already, or not ours to delete.
      }
    }),
  );
}
