import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ModelFiles, ModelFileNotFoundError } from '@fillmask/core';

/** The folder of the committed weight files (written by __fixtures__/make_weight_files.py). */
export const fixturesFolder = fileURLToPath(new URL('./__fixtures__/', import.meta.url));

/** ModelFiles over files held in memory, by path; `read` returns the very Uint8Array given. */
export function memoryModelFiles(files: Record<string, Uint8Array>, location = 'memory:test-model'): ModelFiles {
  return {
    location,
    async read(path) {
      const bytes = files[path];
      if (!bytes) throw new ModelFileNotFoundError({ model: location, file: path });
      return bytes;
    },
    async exists(path) {
      return Object.hasOwn(files, path);
    },
  };
}

/** Every file of one fixture folder (`torch-zip`, `sharded-safetensors`, ...), as ModelFiles. */
export async function fixtureModelFiles(folder: string): Promise<ModelFiles> {
  const root = join(fixturesFolder, folder);
  const files: Record<string, Uint8Array> = {};
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    files[relative(root, path).split('\\').join('/')] = new Uint8Array(await readFile(path));
  }
  return memoryModelFiles(files, `fixture:${folder}`);
}

/** One committed fixture file's bytes. */
export async function fixtureBytes(path: string): Promise<Uint8Array> {
  return new Uint8Array(await readFile(join(fixturesFolder, path)));
}

/** What __fixtures__/expected.json says each folder must read back as. */
export interface ExpectedWeights {
  readonly torch: string;
  readonly tensors: ReadonlyArray<{ name: string; dtype: string; shape: number[]; values: number[] }>;
  readonly folders: Readonly<Record<string, { file: string; order: string[] }>>;
}

export async function expectedWeights(): Promise<ExpectedWeights> {
  return JSON.parse(await readFile(join(fixturesFolder, 'expected.json'), 'utf8')) as ExpectedWeights;
}
