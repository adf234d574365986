import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/**
 * The Hub's base URL without a trailing slash: the configured one (an option, or `$HF_ENDPOINT` for a
 * mirror, where there is an environment), else `https://huggingface.co`.
 */
export function resolveHubUrl(configured: string | undefined): string {
  const url = configured?.trim() || 'https://huggingface.co';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.search !== '' || parsed.hash !== '') {
    throw new InvalidArgumentError({ argument: 'hubUrl', value: url, expected: 'an http(s) URL such as "https://huggingface.co"' });
  }
  return `${parsed.origin}${parsed.pathname.replace(/\/+$/, '')}`;
}

/** `${hubUrl}/${modelId}/resolve/${revision}/${file}`, each part escaped (a revision like `refs/pr/1` becomes one segment). */
export function hubFileUrl(hubUrl: string, modelId: string, revision: string, file: string): string {
  const escapedFile = file.split('/').map(encodeURIComponent).join('/');
  return `${hubUrl}/${modelId}/resolve/${encodeURIComponent(revision)}/${escapedFile}`;
}
