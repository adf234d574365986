import { homedir } from 'node:os';
import path from 'node:path';

/** fillmask's cache folder `name`: under `$FILLMASK_CACHE`, else `$XDG_CACHE_HOME/fillmask`, else `~/.cache/fillmask`. */
export function cacheFolder(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.FILLMASK_CACHE?.trim();
  if (configured) return path.resolve(configured, name);
  return path.join(env.XDG_CACHE_HOME?.trim() || path.join(homedir(), '.cache'), 'fillmask', name);
}
