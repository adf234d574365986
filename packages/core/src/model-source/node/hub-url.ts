import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import type { ModelSourceOptions } from '../model-source-options.js';

/** The Hub's base URL: `options.hubUrl`, else `$HF_ENDPOINT` (a mirror), else `https://huggingface.co`. */
export function resolveHubUrl(options: Pick<ModelSourceOptions, 'hubUrl'>, env: NodeJS.ProcessEnv = process.env): string {
  const configured = options.hubUrl ?? (env.HF_ENDPOINT?.trim() || undefined) ?? 'https://huggingface.co';
  let parsed: URL | undefined;
  try {
    parsed = new URL(configured);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.search !== '' || parsed.hash !== '') {
    throw new InvalidArgumentError({ argument: 'hubUrl', value: configured, expected: 'an http(s) URL such as "https://huggingface.co"' });
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** `${hubUrl}/${modelId}/resolve/${revision}/${file}`, each part escaped (a revision like `refs/pr/1` becomes one segment). */
export function hubFileUrl(hubUrl: string, modelId: string, revision: string, file: string): string {
  const escapedFile = file.split('/').map(encodeURIComponent).join('/');
  return `${hubUrl}/${modelId}/resolve/${encodeURIComponent(revision)}/${escapedFile}`;
}
