import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';

/** The Hub's base URL without a trailing slash: `hubUrl`, else `https://huggingface.co` (a page has no environment variables). */
export function resolveWebHubUrl(hubUrl: string | undefined): string {
  const configured = hubUrl ?? 'https://huggingface.co';
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
