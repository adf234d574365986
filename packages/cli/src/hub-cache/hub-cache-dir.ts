import { homedir } from 'node:os';
import path from 'node:path';

/**
 * The Hub cache folder, found as @fillmask/core and huggingface_hub find it: `--cache-dir`, else
 * `$HF_HUB_CACHE` (or `$HUGGINGFACE_HUB_CACHE`), else `$HF_HOME/hub`, else
 * `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub`.
 */
export function hubCacheDir(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  const configured = [option, env.HF_HUB_CACHE, env.HUGGINGFACE_HUB_CACHE].find((value) => value !== undefined && value.trim() !== '');
  if (configured !== undefined) return absolute(configured);
  const home = env.HF_HOME?.trim()
    ? env.HF_HOME
    : path.join(env.XDG_CACHE_HOME?.trim() ? env.XDG_CACHE_HOME : path.join(homedir(), '.cache'), 'huggingface');
  return path.join(absolute(home), 'hub');
}

function absolute(folder: string): string {
  const expanded = folder === '~' || folder.startsWith('~/') ? path.join(homedir(), folder.slice(1)) : folder;
  return path.resolve(expanded);
}
