import { homedir } from 'node:os';
import path from 'node:path';
import type { ModelSourceOptions } from '../model-source-options.js';
import { expandHome } from './expand-home.js';

/**
 * huggingface_hub's home folder: `$HF_HOME`, else `$XDG_CACHE_HOME/huggingface`, else
 * `~/.cache/huggingface`. The access token file lives there too.
 */
export function resolveHfHome(env: NodeJS.ProcessEnv = process.env): string {
  const configured = nonEmpty(env.HF_HOME);
  if (configured !== undefined) return absolute(configured);
  const xdgCache = nonEmpty(env.XDG_CACHE_HOME);
  return absolute(path.join(xdgCache ?? path.join(homedir(), '.cache'), 'huggingface'));
}

/**
 * The Hub download cache, shared with Python's huggingface_hub: `options.cacheDir`, else
 * `$HF_HUB_CACHE` (or its older name `$HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`, else
 * `~/.cache/huggingface/hub`. Always absolute; a leading `~` is expanded as Python does.
 */
export function resolveHubCacheDir(options: Pick<ModelSourceOptions, 'cacheDir'> = {}, env: NodeJS.ProcessEnv = process.env): string {
  const configured = nonEmpty(options.cacheDir) ?? nonEmpty(env.HF_HUB_CACHE) ?? nonEmpty(env.HUGGINGFACE_HUB_CACHE);
  return configured === undefined ? path.join(resolveHfHome(env), 'hub') : absolute(configured);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

function absolute(folder: string): string {
  return path.resolve(expandHome(folder));
}
