import type { ModelFiles } from '../model-source/model-files.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';

export async function readJsonFile(files: ModelFiles, path: string): Promise<unknown> {
  const bytes = await files.read(path);
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new UnsupportedModelError({ model: files.location, reason: `${path} is not valid JSON.`, cause });
  }
}
