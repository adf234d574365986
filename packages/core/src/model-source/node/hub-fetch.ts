import { HubRequestError } from '../../errors/hub-request-error.js';
import { describeNetworkError } from '../describe-network-error.js';
import { displayUrl } from './display-url.js';

export interface HubFetchRequest {
  readonly url: string;
  readonly method: 'GET' | 'HEAD';
  /** The Hub's origin: the only one the access token is sent to. */
  readonly hubOrigin: string;
  readonly token: string | undefined;
  readonly fetch: typeof globalThis.fetch;
  /** For HEAD: stop at a redirect that leaves the Hub origin (an LFS file's CDN); the redirect already says the file exists. */
  readonly stopAtOtherOrigin: boolean;
  /** What is fetched, for messages: e.g. `onnx/model.onnx of org/name (revision main)`. */
  readonly subject: string;
  /** The longest wait for a connection and the answer's headers, per hop, in ms; none when undefined. */
  readonly timeoutMs?: number;
  /** What sets that timeout, for messages: e.g. `HF_HUB_DOWNLOAD_TIMEOUT or the downloadTimeout option`. */
  readonly timeoutName?: string;
  /** A `Range` header, sent to every hop (the CDN serves the bytes). */
  readonly range?: string;
}

export interface HubFetchResult {
  /** The final response: not a redirect, unless `stopAtOtherOrigin` stopped at one. */
  readonly response: Response;
  /** Headers of every response from the Hub origin, in order: the file's commit, etag and size are there, not in the CDN's. */
  readonly hubHeaders: readonly Headers[];
  /** Whether the final response came from the Hub origin rather than a CDN. */
  readonly fromHub: boolean;
  /** The final URL (may carry signed query parameters: pass it through `displayUrl` for messages). */
  readonly url: string;
}

const maxRedirects = 10;
const redirectStatuses = new Set([301, 302, 303, 307, 308]);

/**
 * Fetches from the Hub and follows redirects by hand, because the token must reach the Hub origin
 * only: LFS files redirect to a CDN with a signed URL, and sending the token there would leak it (and
 * S3 refuses a request with two kinds of credentials).
 */
export async function hubFetch(request: HubFetchRequest): Promise<HubFetchResult> {
  let url = new URL(request.url);
  const hubHeaders: Headers[] = [];
  for (let redirects = 0; ; redirects += 1) {
    const fromHub = url.origin === request.hubOrigin;
    // identity: Content-Length must count the bytes written to disk, not compressed ones.
    const headers: Record<string, string> = { 'Accept-Encoding': 'identity' };
    if (fromHub && request.token !== undefined) headers.Authorization = `Bearer ${request.token}`;
    if (request.range !== undefined) headers.Range = request.range;
    let response: Response;
    const controller = new AbortController();
    let timedOut = false;
    const timer =
      request.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            controller.abort(new HubTimeoutError(request.timeoutMs as number));
          }, request.timeoutMs);
    try {
      response = await request.fetch(url.href, { method: request.method, headers, redirect: 'manual', signal: controller.signal });
    } catch (error) {
      if (timedOut) {
        throw new HubRequestError({
          url: displayUrl(url),
          message:
            `${url.origin} did not answer within ${(request.timeoutMs as number) / 1000} s for ${request.subject}` +
            `${request.timeoutName === undefined ? '' : ` (${request.timeoutName})`}.`,
          cause: controller.signal.reason,
        });
      }
      throw new HubRequestError({
        url: displayUrl(url),
        message:
          `Could not reach ${url.origin} to fetch ${request.subject}: ${describeNetworkError(error)}. ` +
          'Check the network (and HF_ENDPOINT or proxy settings), or set HF_HUB_OFFLINE=1 to use only cached files.',
        cause: error,
      });
    } finally {
      // The body has a timeout of its own (between chunks), set by whoever reads it.
      clearTimeout(timer);
    }
    if (fromHub) hubHeaders.push(response.headers);
    const location = response.headers.get('location');
    if (!redirectStatuses.has(response.status) || location === null) return { response, hubHeaders, fromHub, url: url.href };

    const next = parseLocation(location, url, request.subject);
    if (request.stopAtOtherOrigin && next.origin !== request.hubOrigin) return { response, hubHeaders, fromHub, url: url.href };
    await response.body?.cancel();
    if (redirects === maxRedirects) {
      throw new HubRequestError({
        url: displayUrl(url),
        status: response.status,
        message: `Too many redirects (more than ${maxRedirects}) while fetching ${request.subject}.`,
      });
    }
    url = next;
  }
}

/** The cause of a request that took longer than its timeout. */
export class HubTimeoutError extends Error {
  constructor(readonly timeoutMs: number) {
    super(`timed out after ${timeoutMs / 1000} s`);
    this.name = 'TimeoutError';
  }
}

/** Resolves a `Location` (often relative on the Hub, e.g. a renamed repository) against the current URL. */
function parseLocation(location: string, current: URL, subject: string): URL {
  let next: URL | undefined;
  try {
    next = new URL(location, current);
  } catch {
    next = undefined;
  }
  if (next === undefined || (next.protocol !== 'https:' && next.protocol !== 'http:')) {
    throw new HubRequestError({
      url: displayUrl(current),
      message: `The Hub redirected the request for ${subject} to an unusable location.`,
    });
  }
  return next;
}
