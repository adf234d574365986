import { open, realpath } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { readModelWithWeightsByReference, type WeightsByReference } from '@fillmask/onnx';

/**
 * The model at `path` with its large floating-point weights (with `integerMatrices`, its int8 weight
 * matrices too) left in the file (`readModelWithWeightsByReference`), read a window at a time; the
 * folder onnxruntime must be told (`modelFolderOption`) to load them from the file itself. Weights the file already keeps in
 * other files stay there (`externalDataLocations`); their names are relative to the model file's
 * folder, not to `folder`, which is its target's when the path is a link.
 */
export async function readModelFileByReference(
  path: string,
  { integerMatrices = false }: { integerMatrices?: boolean } = {},
): Promise<WeightsByReference & { folder: string }> {
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
      { location: basename(target), integerMatrices },
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

/**
 * Whether the runtime resolves a graph's external-data references in a folder it is told
 * (`session.model_external_initializers_file_folder_path`, onnxruntime 1.21 and later). An older one
 * ignores the setting and looks in the working directory, where a file of the same name would give
 * it the wrong weights without an error; so an older or unknown version reads the whole file.
 */
export function readsWeightsByReference(runtime: ReportedRuntime): boolean {
  return isAtLeast(runtime, 21);
}

/**
 * Whether the runtime also resolves external data from that setting for a graph opened from its path
 * (onnxruntime's microsoft/onnxruntime#29459): 1.30 does, the release fillmask is tested with; before
 * that PR, a graph opened by path looked for its weights beside itself. Older runtimes get bytes.
 */
export function opensPathsWithFolderOption(runtime: ReportedRuntime): boolean {
  return isAtLeast(runtime, 30);
}

/** A runtime as it reports its version (`env.versions`). */
interface ReportedRuntime {
  readonly env?: { readonly versions?: { readonly node?: string; readonly common?: string } };
}

/** Whether the runtime reports version 1.`minor` or later; an unknown version is not. */
function isAtLeast(runtime: ReportedRuntime, minor: number): boolean {
  const version = runtime.env?.versions?.node ?? runtime.env?.versions?.common;
  const [major, reportedMinor] = (version ?? '').split('.').map(Number);
  return major > 1 || (major === 1 && reportedMinor >= minor);
}
