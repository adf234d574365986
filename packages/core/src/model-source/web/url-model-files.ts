import type { DownloadProgressCallback } from '../download-progress.js';
import type { ModelFiles } from '../model-files.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import { openModelCache } from './model-cache.js';
import { readResponseBody } from './read-response-body.js';
import { parseRevisionInfo, type ExpectedBlob } from '../parse-revision-info.js';
import { checkBlobBytes } from './check-blob-bytes.js';
import { defaultRetry, defaultTimeoutSeconds, sendWithRetries } from '../retry-policy.js';
import { displayUrl, errorFromWebResponse, type WebResponseErrorContext } from './web-response-error.js';

export interface UrlModelSource {
  /** The model folder's absolute URL, ending in `/`. */
  readonly baseUrl: string;
  /** Where the model comes from, for messages. */
  readonly location: string;
  /** The Hub's origin: the only one the access token is ever sent to. */
  readonly hubOrigin: string;
  /** Set when the model is a Hub id, for the Hub's error messages. */
  readonly hubModel?: WebResponseErrorContext['hubModel'];
  readonly options: ModelSourceOptions;
}

/**
 * ModelFiles fetched over HTTP from a URL base in the Hub folder layout, kept in the Cache API under
 * their full URL (which holds the revision for a Hub model). A cached file is read without any
 * request, so a reload, or a page offline, opens the model from the cache; a file is cached only
 * once its whole body has arrived and matches what the Hub announced: the size and hash in the Hub's
 * file list (an LFS file's SHA-256, a regular file's git blob SHA-1), else a regular file's ETag (its
 * git blob SHA-1); a body that does not is downloaded once more, then an error, never cached.
 * `offline: true` never touches the network.
 *
 * A branch revision such as `main` stays cached as first downloaded: pin a commit hash for
 * reproducible results, or delete the cache to fetch a branch's newer files.
 */
export function openUrlModel(source: UrlModelSource): ModelFiles {
  return new UrlModelFiles(source);
}

class UrlModelFiles implements ModelFiles {
  readonly location: string;
  private readonly fetch: typeof globalThis.fetch;
  private readonly onProgress: DownloadProgressCallback | undefined;
  private readonly cache: Promise<Cache | undefined>;
  /** The revision's files as the Hub listed them, once it has: a file not among them is missing, with no request. */
  private listedByHub: ReadonlySet<string> | undefined;
  /** What each file must be, from the Hub's list (`?blobs=true`). */
  private expectedBlobs: ReadonlyMap<string, ExpectedBlob> | undefined;
  /** Reads in flight, so that concurrent reads of one file make one download. */
  private readonly reading = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly source: UrlModelSource) {
    this.location = source.location;
    const fetchFunction = source.options.fetch ?? globalThis.fetch;
    // Called unbound: the browser's fetch refuses a `this` other than the global object.
    this.fetch = (input, init) => fetchFunction(input, init);
    this.onProgress = source.options.onProgress;
    this.cache = openModelCache();
  }

  async read(file: string): Promise<Uint8Array> {
    const url = this.fileUrl(file);
    let reading = this.reading.get(url);
    if (reading === undefined) {
      reading = this.readFile(file, url).finally(() => this.reading.delete(url));
      this.reading.set(url, reading);
    }
    return reading;
  }

  async exists(file: string): Promise<boolean> {
    const url = this.fileUrl(file);
    if (this.listedByHub !== undefined) return this.listedByHub.has(file);
    const cache = await this.cache;
    if ((await cache?.match(url)) !== undefined) return true;
    if (this.source.options.offline) return false;
    const response = await this.request(url, 'HEAD');
    if (response.ok) return true;
    const error = errorFromWebResponse(response, this.errorContext(file));
    if (ModelFileNotFoundError.isInstance(error)) return false;
    throw error;
  }

  /**
   * A Hub model's files, from the Hub's model info at the revision, kept in the Cache API like the
   * files (so a reload or an offline page lists them with no request); undefined for a plain URL base
   * (nothing lists a folder over HTTP), offline with nothing cached, or when the request fails:
   * callers then ask `exists`.
   */
  async list(): Promise<readonly string[] | undefined> {
    const hubModel = this.source.hubModel;
    if (hubModel === undefined) return undefined;
    // blobs=true: each file's size and hashes too, to check downloads by (as huggingface_hub's files_metadata).
    const url = `${hubModel.hubUrl}/api/models/${hubModel.modelId}/revision/${encodeURIComponent(hubModel.revision)}?blobs=true`;
    const cache = await this.cache;
    try {
      const cached = await cache?.match(url);
      let body: unknown;
      if (cached !== undefined) body = await cached.json();
      else {
        if (this.source.options.offline) return undefined;
        const response = await this.request(url, 'GET');
        if (!response.ok) {
          await response.body?.cancel().catch(() => undefined);
          return undefined;
        }
        const text = await response.text();
        body = JSON.parse(text);
        await cache?.put(url, new Response(text, { headers: { 'content-type': 'application/json' } })).catch(() => undefined);
      }
      const info = parseRevisionInfo(body);
      if (info !== undefined) {
        this.listedByHub = new Set(info.files);
        this.expectedBlobs = info.blobs;
      }
      return info?.files;
    } catch {
      return undefined;
    }
  }

  private async readFile(file: string, url: string): Promise<Uint8Array> {
    if (this.listedByHub !== undefined && !this.listedByHub.has(file)) {
      throw new ModelFileNotFoundError({ model: this.location, file, hint: 'The Hub lists no such file for this revision.' });
    }
    const cache = await this.cache;
    const cached = await cache?.match(url);
    if (cached !== undefined) {
      const bytes = new Uint8Array(await cached.arrayBuffer());
      this.onProgress?.({ file, status: 'cached', loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength });
      return bytes;
    }
    if (this.source.options.offline) {
      throw new ModelFileNotFoundError({
        model: this.location,
        file,
        hint: 'It is not in the browser cache and offline mode is on: load the model once with offline off.',
      });
    }
    let response: Response;
    let bytes: Uint8Array;
    for (let attempt = 1; ; attempt += 1) {
      response = await this.request(url, 'GET');
      if (!response.ok) {
        await response.body?.cancel().catch(() => undefined);
        throw errorFromWebResponse(response, this.errorContext(file));
      }
      bytes = await readResponseBody({ response, file, displayUrl: displayUrl(response.url || url), onProgress: this.onProgress });
      const problem = await checkBlobBytes(bytes, this.expectedBlob(file, response));
      if (problem === undefined) break;
      // A body that is not what the Hub announced is never cached: once more, then an error.
      if (attempt >= 2) {
        throw new HubRequestError({
          url: displayUrl(response.url || url),
          message: `The download of ${file} of ${this.location} is incomplete or corrupt: ${problem}. Nothing was cached; try again later.`,
        });
      }
    }
    if (cache !== undefined) {
      const headers = {
        'content-type': response.headers.get('content-type') ?? 'application/octet-stream',
        'content-length': String(bytes.byteLength),
      };
      // A full quota only costs the next reload a download; the bytes are here.
      // A fetched body is backed by a plain ArrayBuffer, never a SharedArrayBuffer.
      await cache.put(url, new Response(bytes as Uint8Array<ArrayBuffer>, { headers })).catch(() => undefined);
    }
    this.onProgress?.({ file, status: 'done', loadedBytes: bytes.byteLength, totalBytes: bytes.byteLength });
    return bytes;
  }

  /**
   * What a downloaded file must be: the Hub's list says (size, and SHA-256 or git blob SHA-1), else a
   * regular file answered by the Hub itself names its git blob SHA-1 in its ETag (an LFS file comes
   * from a CDN whose ETag is its own).
   */
  private expectedBlob(file: string, response: Response): ExpectedBlob | undefined {
    const listed = this.expectedBlobs?.get(file);
    if (listed !== undefined) return listed;
    if (this.source.hubModel === undefined || response.redirected) return undefined;
    const url = response.url || this.fileUrl(file);
    if (new URL(url).origin !== this.source.hubOrigin) return undefined;
    const etag = /^"([0-9a-f]{40})"$/.exec(response.headers.get('etag')?.trim() ?? '')?.[1];
    return etag === undefined ? undefined : { digest: { kind: 'git-blob-sha1', hex: etag } };
  }

  /**
   * One request, tried again as the Node source does when the answer may pass (HTTP 408, 429, 5xx;
   * no headers within the timeout), waiting as `Retry-After` asks or with backoff and jitter. A fetch
   * that fails outright (no network, a refused or cross-origin request) is not retried.
   */
  private request(url: string, method: 'GET' | 'HEAD'): Promise<Response> {
    const { options } = this.source;
    const timeoutMs = ((method === 'HEAD' ? options.etagTimeout : options.downloadTimeout) ?? defaultTimeoutSeconds) * 1000;
    return sendWithRetries(
      { ...defaultRetry, ...options.retry },
      () => this.requestOnce(url, method, timeoutMs),
      (response) => response,
      (error) => HubRequestError.isInstance(error) && error.cause instanceof HeadersTimeout,
    );
  }

  /** One try: the answer, or a HubRequestError (caused by a HeadersTimeout when no headers came in time). */
  private async requestOnce(url: string, method: 'GET' | 'HEAD', timeoutMs: number): Promise<Response> {
    const token = this.accessTokenFor(url);
    const headersTimeout = new AbortController();
    const timer = setTimeout(() => headersTimeout.abort(new HeadersTimeout(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    try {
      return await this.fetch(url, {
        method,
        headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
        signal: headersTimeout.signal,
      });
    } catch (caught) {
      const cause = headersTimeout.signal.aborted ? headersTimeout.signal.reason : caught;
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new HubRequestError({ url: displayUrl(url), message: `Could not fetch ${displayUrl(url)}: ${this.redact(reason)}`, cause });
    } finally {
      clearTimeout(timer);
    }
  }

  /** The token goes to the Hub's origin only: never to the page's own server or anyone else's. */
  private accessTokenFor(url: string): string | undefined {
    const token = this.source.options.accessToken?.trim();
    return token && new URL(url).origin === this.source.hubOrigin ? token : undefined;
  }

  private errorContext(file: string): WebResponseErrorContext {
    return {
      file,
      location: this.location,
      hubModel: this.source.hubModel,
      tokenSent: this.accessTokenFor(this.fileUrl(file)) !== undefined,
      redact: (text) => this.redact(text),
    };
  }

  private redact(text: string): string {
    const token = this.source.options.accessToken?.trim();
    return token ? text.split(token).join('***') : text;
  }

  private fileUrl(file: string): string {
    const valid =
      typeof file === 'string' &&
      file.length > 0 &&
      !file.includes('\\') &&
      file.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
    if (!valid) {
      throw new InvalidArgumentError({
        argument: 'file path',
        value: file,
        expected: 'a relative path inside the model folder with / separators, e.g. "onnx/model.onnx"',
      });
    }
    return new URL(file.split('/').map(encodeURIComponent).join('/'), this.source.baseUrl).href;
  }
}

/** No headers came within the timeout: an attempt that may pass when tried again. */
class HeadersTimeout extends Error {}
