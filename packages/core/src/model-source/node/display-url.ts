/**
 * A URL fit for messages: without query or fragment, since CDN redirects carry signed credentials
 * there. (The access token never is in a URL; it travels in the Authorization header.)
 */
export function displayUrl(url: string | URL): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}
