import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelSourceOptions } from '../model-source-options.js';
import { resolveHfHome } from './hub-cache-dir.js';
import { expandHome } from './expand-home.js';

/**
 * The token for Hub requests, found where huggingface_hub looks: `options.accessToken`, else
 * `$HF_TOKEN` (or its older name `$HUGGING_FACE_HUB_TOKEN`), else the file that `hf auth login`
 * writes (`$HF_TOKEN_PATH`, default `$HF_HOME/token`). Undefined when there is none.
 */
export async function resolveAccessToken(
  options: Pick<ModelSourceOptions, 'accessToken'>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string | undefined> {
  const given = nonEmpty(options.accessToken) ?? nonEmpty(env.HF_TOKEN) ?? nonEmpty(env.HUGGING_FACE_HUB_TOKEN);
  if (given !== undefined) return given;
  const tokenFile = nonEmpty(env.HF_TOKEN_PATH) ?? path.join(resolveHfHome(env), 'token');
  try {
    return nonEmpty(await readFile(path.resolve(expandHome(tokenFile)), 'utf8'));
  } catch {
    // No login on this machine: anonymous requests, fine for public models.
    return undefined;
  }
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed === undefined || trimmed === '' ? undefined : trimmed;
}
