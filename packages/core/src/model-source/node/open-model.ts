import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import type { ModelFiles } from '../model-files.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { expandHome } from './expand-home.js';
import { openHubModel } from './hub-model-files.js';
import { isHubModelId } from './hub-model-id.js';
import { openLocalFolder } from './local-folder-model-files.js';

/**
 * Opens a model by name, in Node: a local folder when `model` names an existing directory or looks
 * like a path (`./`, `../`, `/`, `~/`, a drive letter, `file://`), else a Hub model id (`name` or
 * `org/name`), downloaded into the Hub cache as files are read. As in transformers, an existing
 * folder wins over a Hub id of the same name.
 */
export async function openModel(model: string, options: ModelSourceOptions = {}): Promise<ModelFiles> {
  if (typeof model !== 'string' || model.trim() === '') {
    throw new InvalidArgumentError({
      argument: 'model',
      value: model,
      expected: 'a Hub model id such as "org/name" or the path of a model folder',
    });
  }
  const pathLike = explicitPath(model);
  const folder = path.resolve(pathLike ?? model);
  const info = await stat(folder).catch(() => undefined);
  if (info?.isDirectory()) return openLocalFolder(folder);

  if (pathLike !== undefined || !isHubModelId(model)) {
    const problem = info === undefined ? `nothing exists at ${folder}` : `${folder} is not a folder`;
    const expected =
      pathLike !== undefined
        ? `an existing model folder (${problem})`
        : 'a Hub model id ("name" or "org/name") or the path of an existing model folder';
    throw new InvalidArgumentError({ argument: 'model', value: model, expected });
  }
  return openHubModel(model, options);
}

/** The file system path `model` spells out, or undefined when it may be a Hub id. */
function explicitPath(model: string): string | undefined {
  if (model.startsWith('file://')) {
    try {
      return fileURLToPath(model);
    } catch (error) {
      throw new InvalidArgumentError({ argument: 'model', value: model, expected: `a valid file:// URL (${(error as Error).message})` });
    }
  }
  if (model === '~' || model.startsWith('~/') || model.startsWith('~\\')) return expandHome(model);
  if (model === '.' || model === '..' || /^\.{1,2}[\\/]/.test(model) || path.isAbsolute(model) || /^[A-Za-z]:[\\/]/.test(model))
    return model;
  return undefined;
}
