import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { readModelWithWeightsByReference, type WeightsByReference } from '@fillmask/core/graph';

/**
 * The model at `path` with its large floating-point weights left in the file
 * (`readModelWithWeightsByReference`), read a window at a time: onnxruntime then loads them from the
 * file itself, told its folder by `modelFolderOption`.
 */
export async function readModelFileByReference(path: string): Promise<WeightsByReference> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    return await readModelWithWeightsByReference(
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
      { location: basename(path) },
    );
  } finally {
    await file.close();
  }
}

/** The onnxruntime setting that resolves a graph's external-data references when the graph is given as bytes. */
export function modelFolderOption(folder: string): { session: { model_external_initializers_file_folder_path: string } } {
  return { session: { model_external_initializers_file_folder_path: folder } };
}
