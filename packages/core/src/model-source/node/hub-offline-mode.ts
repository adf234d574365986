import type { ModelSourceOptions } from '../model-source-options.js';

/** `options.offline`, else `$HF_HUB_OFFLINE` read as huggingface_hub does (1, true, on, yes). */
export function isOfflineMode(options: Pick<ModelSourceOptions, 'offline'>, env: NodeJS.ProcessEnv = process.env): boolean {
  return options.offline ?? ['1', 'true', 'on', 'yes'].includes(env.HF_HUB_OFFLINE?.trim().toLowerCase() ?? '');
}
