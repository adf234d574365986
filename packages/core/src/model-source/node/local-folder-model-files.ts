import { readFile, stat } from 'node:fs/promises';
import { listFolderFiles } from './list-folder-files.js';
import path from 'node:path';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import type { ModelFiles } from '../model-files.js';
import { isMissingFileError } from './is-missing-file-error.js';
import { assertModelFilePath } from './model-file-path.js';

/**
 * A model folder on the local disk in the Hugging Face layout (`config.json`, `tokenizer.json`,
 * `onnx/model.onnx`, ...), e.g. one saved by `save_pretrained` or exported by Optimum. Nothing is
 * read until a file is asked for; a missing folder is reported then.
 */
export function openLocalFolder(folder: string): ModelFiles {
  const root = path.resolve(folder);

  const filePath = (file: string): string => {
    assertModelFilePath(file);
    return path.join(root, ...file.split('/'));
  };

  const notFound = async (file: string, cause?: unknown): Promise<ModelFileNotFoundError> => {
    const folderInfo = await stat(root).catch(() => undefined);
    const hint =
      folderInfo === undefined ? `The folder ${root} does not exist.` : folderInfo.isDirectory() ? undefined : `${root} is not a folder.`;
    return new ModelFileNotFoundError({ model: root, file, hint, cause });
  };

  return {
    location: root,

    async read(file: string): Promise<Uint8Array> {
      try {
        const bytes = await readFile(filePath(file));
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        // A folder where the file should be counts as missing too.
        if (isMissingFileError(error) || (error as NodeJS.ErrnoException).code === 'EISDIR') throw await notFound(file, error);
        throw error;
      }
    },

    async exists(file: string): Promise<boolean> {
      try {
        return (await stat(filePath(file))).isFile();
      } catch (error) {
        if (isMissingFileError(error)) return false;
        throw error;
      }
    },

    async list(): Promise<readonly string[] | undefined> {
      return listFolderFiles(root);
    },

    async localPath(file: string): Promise<string> {
      const absolutePath = filePath(file);
      const info = await stat(absolutePath).catch((error: unknown) => {
        if (isMissingFileError(error)) return undefined;
        throw error;
      });
      if (!info?.isFile()) throw await notFound(file);
      return absolutePath;
    },
  };
}
