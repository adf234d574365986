import { open, realpath } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { readModelWithWeightsByReference, type WeightsByReference } from '@fillmask/core/graph';

/**
 * The model at `path` with its large floating-point weights left in the file
 * (`readModelWithWeightsByReference`), read a window at a time, and the folder onnxruntime must be
 * told (`modelFolderOption`) to load them from the file itself.
 */
export async function readModelFileByReference(path: string): Promise<WeightsByReference & { folder: string }> {
  // The references name the file itself, not a link to it: onnxruntime (1.30) resolves links and
  // rejects a target outside the folder, as in the Hub cache, whose snapshot files link to blobs.
  const target = await realpath(path);
  const file = await open(target, 'r');
  try {
    const { size } = await file.stat();
    const byReference = await readModelWithWeightsByReference(
      {
        size,
        async read(offset, length) {
          const bytes = new Uint8Array(Math.max(0, Math.min(length, size - offset)));
          let filled = 0;
          while (filled < bytes.length) {
            const { bytesRead } = await file.read(bytes, filled, bytes.length - filled, offset + filled);
            if (bytesRead === 0) break;
            filled += bytesRead;
          }
          return bytes.subarray(0, filled);
        },
      },
      { location: basename(target) },
    );
    return { ...byReference, folder: dirname(target) };
  } finally {
    await file.close();
  }
}

/** The onnxruntime setting that resolves a graph's external-data references when the graph is given as bytes. */
export function modelFolderOption(folder: string): { session: { model_external_initializers_file_folder_path: string } } {
  return { session: { model_external_initializers_file_folder_path: folder } };
}
