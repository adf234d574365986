import { randomBytes } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileDigests } from './file-digests.js';
import { listRevisions, type HubServerRepo, type ResolvedRevision } from './repo-catalog.js';

/** Misbehaviour to inject; change it between requests with `setFaults`. */
export interface HubServerFaults {
  /** Close the connection after this many bytes of a file body, although Content-Length announced all of it. */
  readonly cutBodyAfterBytes?: number;
  /**
   * The CDN serves only this many bytes of an LFS file, with a Content-Length that matches, while the
   * Hub announces the full size in `X-Linked-Size`: a stale or corrupt CDN object.
   */
  readonly truncateCdnBodyTo?: number;
  /** Wait this long before answering each request. */
  readonly delayMs?: number;
  /** Apply the body faults to this file only (e.g. `onnx/model.onnx`); default every file. */
  readonly onlyFile?: string;
  /** Send this many bytes of a file body, then nothing more (the connection stays open): a stalled transfer. */
  readonly stallBodyAfterBytes?: number;
  /** Change the byte at this offset of a file body (the length stays right): a corrupt transfer. */
  readonly corruptByteAt?: number;
  /**
   * Serve only this many bytes of a file body with a Content-Length that matches, from the Hub or the
   * CDN alike (the Hub's ETag and X-Linked-Size still describe the whole file): a short body.
   */
  readonly truncateBodyTo?: number;
  /** Answer requests to the Hub origin with this status (an error body), before anything else. */
  readonly status?: number;
  /** The `Retry-After` header sent with `status`. */
  readonly retryAfter?: string;
  /** Apply `status` to this method only (default every method). */
  readonly statusMethod?: 'GET' | 'HEAD';
  /** Announce this ETag (quoted, in ETag or X-Linked-Etag) instead of the file's real one. */
  readonly etag?: string;
  /**
   * How many requests the faults apply to (each request a status fault answers, or each file body a
   * body fault changes counts one); then the server is healthy again. Default: every request.
   */
  readonly times?: number;
}

export interface HubServerOptions {
  /** The repositories served, by model id (`name` or `org/name`). */
  readonly repos: Readonly<Record<string, HubServerRepo>>;
  /** The one access token the server accepts; any other `Authorization` is refused with 401. */
  readonly token?: string;
  /** Renamed repositories, old id to new id: answered with a relative 307 as the Hub does. */
  readonly movedRepos?: Readonly<Record<string, string>>;
  readonly faults?: HubServerFaults;
  /**
   * Answer browsers' cross-origin requests as the Hub and its CDN do: `Access-Control-Allow-Origin: *`,
   * the Hub's headers exposed, and preflight (`OPTIONS`) requests allowed, `Authorization` included.
   * Default false.
   */
  readonly cors?: boolean;
}

/** Headers a page may read from the Hub's answers, as the Hub exposes them. */
const exposedHeaders = [
  'X-Repo-Commit',
  'X-Request-Id',
  'X-Error-Code',
  'X-Error-Message',
  'X-Linked-Etag',
  'X-Linked-Size',
  'ETag',
  'Content-Length',
  'Location',
];

/** One request either server received, in arrival order. */
export interface RecordedRequest {
  /** `hub` for the Hub origin, `cdn` for the LFS file origin (another port, so another origin). */
  readonly server: 'hub' | 'cdn';
  readonly method: string;
  /** Path and query string as sent. */
  readonly path: string;
  readonly host: string;
  /** Whether an `Authorization` header was sent. */
  readonly authorization: boolean;
  /** The status answered (0 until the answer starts). */
  readonly status: number;
  /** The `Range` header sent, if any. */
  readonly range: string | undefined;
}

export interface HubServer {
  /** The Hub origin, e.g. `http://127.0.0.1:40123`: pass it as `hubUrl`. */
  readonly url: string;
  /** The CDN origin that LFS files redirect to. */
  readonly cdnUrl: string;
  readonly requests: RecordedRequest[];
  /** Replaces the faults (and restarts their `times` count). */
  setFaults(faults: HubServerFaults): void;
  /** The commit the server reports for a revision of a repository (default `main`). */
  commitOf(modelId: string, revision?: string): string;
  close(): Promise<void>;
}

/** Files stored in Git LFS on the real Hub, answered with a redirect to the CDN. */
const lfsExtensions = ['.onnx', '.onnx_data', '.bin', '.safetensors'];

type MutableRecord = { -readonly [key in keyof RecordedRequest]: RecordedRequest[key] };

interface HubError {
  readonly status: number;
  readonly code?: string;
  readonly message: string;
  readonly headers?: Record<string, string>;
}

/**
 * Starts a double of the Hugging Face Hub on 127.0.0.1: `GET|HEAD /{id}/resolve/{revision}/{path}`
 * with the Hub's headers and error codes, LFS files redirected to a second server (the CDN) with a
 * signed-looking URL. Every request to either server is recorded.
 */
export async function startHubServer(options: HubServerOptions): Promise<HubServer> {
  let faults: HubServerFaults = options.faults ?? {};
  // How many more requests the faults apply to.
  let faultsLeft = faults.times ?? Number.POSITIVE_INFINITY;
  const requests: RecordedRequest[] = [];
  const revisionsByRepo = new Map(Object.entries(options.repos).map(([id, repo]) => [id, listRevisions(id, repo)]));
  // The CDN serves by content hash what the Hub redirected to, as the real one does.
  const cdnObjects = new Map<string, { file: string; absolutePath: string }>();
  let requestCount = 0;

  const hub = createServer((request, response) => {
    void handle('hub', request, response, async (record) => answerHub(request, response, record));
  });
  const cdn = createServer((request, response) => {
    void handle('cdn', request, response, async (record) => answerCdn(request, response, record));
  });
  const url = await listen(hub);
  const cdnUrl = await listen(cdn);

  async function handle(
    server: 'hub' | 'cdn',
    request: IncomingMessage,
    response: ServerResponse,
    answer: (record: MutableRecord) => Promise<void>,
  ): Promise<void> {
    const record: MutableRecord = {
      server,
      method: request.method ?? '',
      path: request.url ?? '',
      host: request.headers.host ?? '',
      authorization: request.headers.authorization !== undefined,
      status: 0,
      range: request.headers.range,
    };
    requests.push(record);
    requestCount += 1;
    response.setHeader('X-Request-Id', `Root=1-${requestCount.toString(16).padStart(8, '0')}-${randomBytes(6).toString('hex')}`);
    if (options.cors) {
      response.setHeader('Access-Control-Allow-Origin', '*');
      response.setHeader('Access-Control-Expose-Headers', exposedHeaders.join(', '));
      if (request.method === 'OPTIONS') {
        record.status = 204;
        response.writeHead(204, {
          'Access-Control-Allow-Methods': 'GET, HEAD, OPTIONS',
          'Access-Control-Allow-Headers': 'Authorization, Range, Content-Type',
          'Access-Control-Max-Age': '86400',
        });
        response.end();
        return;
      }
    }
    try {
      if (faults.delayMs) await sleep(faults.delayMs);
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        return sendError(request, response, record, { status: 405, message: 'Method not allowed' });
      }
      if (
        server === 'hub' &&
        faults.status !== undefined &&
        faultsLeft > 0 &&
        (faults.statusMethod === undefined || faults.statusMethod === request.method)
      ) {
        faultsLeft -= 1;
        const headers = faults.retryAfter === undefined ? undefined : { 'Retry-After': faults.retryAfter };
        return sendError(request, response, record, { status: faults.status, message: `Injected HTTP ${faults.status}`, headers });
      }
      await answer(record);
    } catch (error) {
      if (!response.headersSent) sendError(request, response, record, { status: 500, message: String(error) });
      else response.destroy();
    }
  }

  async function answerHub(request: IncomingMessage, response: ServerResponse, record: MutableRecord): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', url);
    const listing = parseRevisionInfoPath(requestUrl.pathname);
    const target = listing ?? parseResolvePath(requestUrl.pathname);
    if (!target) return sendError(request, response, record, { status: 404, message: 'Not Found' });

    const movedTo = options.movedRepos?.[target.modelId];
    if (movedTo !== undefined) {
      const location = listing
        ? `/api/models/${movedTo}/revision/${target.rawRevision}`
        : `/${movedTo}/resolve/${target.rawRevision}/${target.rawFile}${requestUrl.search}`;
      return sendRedirect(request, response, record, 307, location, {});
    }

    const authorization = request.headers.authorization;
    const bearer = /^Bearer (.+)$/.exec(authorization ?? '')?.[1];
    if (authorization !== undefined && (options.token === undefined || bearer !== options.token)) {
      return sendError(request, response, record, { status: 401, message: 'Invalid credentials in Authorization header' });
    }
    const authorized = authorization !== undefined;

    const repo = options.repos[target.modelId];
    const revisions = revisionsByRepo.get(target.modelId);
    if (!repo || !revisions) {
      // Like the Hub: a missing repository looks like a private one to anonymous callers.
      const message =
        `Repository Not Found for url: ${requestUrl.href}. Please make sure you specified the correct repo_id. ` +
        'If you are trying to access a private or gated repo, make sure you are authenticated.';
      return sendError(request, response, record, { status: authorized ? 404 : 401, code: 'RepoNotFound', message });
    }
    if (repo.gated && !authorized) {
      const message = `Access to model ${target.modelId} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
      return sendError(request, response, record, { status: 401, code: 'GatedRepo', message });
    }
    const revision = revisions.get(target.revision);
    if (!revision) {
      return sendError(request, response, record, { status: 404, code: 'RevisionNotFound', message: `Invalid rev id: ${target.revision}` });
    }
    if (listing)
      return sendRevisionInfo(request, response, record, target.modelId, revision, requestUrl.searchParams.get('blobs') === 'true');
    const absolutePath = await findFile(revision, target.file);
    if (absolutePath === undefined) {
      const headers = { 'X-Repo-Commit': revision.commit };
      return sendError(request, response, record, {
        status: 404,
        code: 'EntryNotFound',
        message: `${target.file} does not exist on "${target.revision}"`,
        headers,
      });
    }

    const digests = await fileDigests(absolutePath);
    response.setHeader('X-Repo-Commit', revision.commit);
    if (lfsExtensions.some((extension) => target.file.endsWith(extension))) {
      cdnObjects.set(digests.sha256, { file: target.file, absolutePath });
      const signature = randomBytes(16).toString('hex');
      const location = `${cdnUrl}/cdn/${digests.sha256}?X-Amz-Expires=3600&X-Amz-Signature=${signature}`;
      return sendRedirect(request, response, record, 302, location, {
        'X-Linked-Etag': `"${faults.etag !== undefined && appliesTo(target.file) ? faults.etag : digests.sha256}"`,
        'X-Linked-Size': String(digests.content.length),
        // The Hub's own ETag of an LFS file is not the blob's: clients must prefer X-Linked-Etag.
        ETag: `W/"${digests.gitBlobSha1.slice(0, 20)}"`,
      });
    }
    response.setHeader('ETag', `"${faults.etag !== undefined && appliesTo(target.file) ? faults.etag : digests.gitBlobSha1}"`);
    sendBody(request, response, record, digests.content, target.file, 'text/plain; charset=utf-8');
  }

  async function answerCdn(request: IncomingMessage, response: ServerResponse, record: MutableRecord): Promise<void> {
    const requestUrl = new URL(request.url ?? '/', cdnUrl);
    // S3 refuses a request that carries both a signed URL and an Authorization header.
    if (request.headers.authorization !== undefined) {
      return sendError(request, response, record, { status: 400, message: 'InvalidArgument: Only one auth mechanism allowed' });
    }
    if (!requestUrl.searchParams.has('X-Amz-Signature')) {
      return sendError(request, response, record, { status: 403, message: 'AccessDenied' });
    }
    const object = cdnObjects.get(requestUrl.pathname.replace(/^\/cdn\//, ''));
    if (!object) return sendError(request, response, record, { status: 404, message: 'NoSuchKey' });
    const digests = await fileDigests(object.absolutePath);
    response.setHeader('ETag', `"${digests.md5}"`);
    let content = digests.content;
    if (faults.truncateCdnBodyTo !== undefined && appliesTo(object.file)) content = content.subarray(0, faults.truncateCdnBodyTo);
    sendBody(request, response, record, content, object.file, 'application/octet-stream');
  }

  function appliesTo(file: string): boolean {
    return faults.onlyFile === undefined || faults.onlyFile === file;
  }

  function sendBody(
    request: IncomingMessage,
    response: ServerResponse,
    record: MutableRecord,
    whole: Buffer,
    file: string,
    contentType: string,
  ): void {
    const faulty = appliesTo(file) && faultsLeft > 0 && request.method === 'GET' && hasBodyFault();
    if (faulty) faultsLeft -= 1;
    let content = whole;
    if (faulty && faults.truncateBodyTo !== undefined) content = content.subarray(0, faults.truncateBodyTo);
    if (faulty && faults.corruptByteAt !== undefined && faults.corruptByteAt < content.length) {
      content = Buffer.from(content);
      content[faults.corruptByteAt] ^= 0x20;
    }
    // `Range: bytes=N-` (what resuming clients send) answered with 206, as the Hub and S3 do.
    const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (range && start >= content.length) {
      record.status = 416;
      response.writeHead(416, { 'Content-Range': `bytes */${content.length}`, 'Content-Length': '0' });
      response.end();
      return;
    }
    const headers: Record<string, string> = { 'Content-Type': contentType, 'Accept-Ranges': 'bytes' };
    if (range) headers['Content-Range'] = `bytes ${start}-${content.length - 1}/${content.length}`;
    const body = content.subarray(start);
    headers['Content-Length'] = String(body.length);
    record.status = range ? 206 : 200;
    response.writeHead(record.status, headers);
    if (request.method === 'HEAD') {
      response.end();
      return;
    }
    const cutAfter = faulty ? faults.cutBodyAfterBytes : undefined;
    if (cutAfter !== undefined && cutAfter < body.length) {
      response.write(body.subarray(0, cutAfter), () => response.destroy());
      return;
    }
    const stallAfter = faulty ? faults.stallBodyAfterBytes : undefined;
    if (stallAfter !== undefined && stallAfter < body.length) {
      // Never ends: the client must give up on its own (the socket is destroyed when the server closes).
      response.write(body.subarray(0, stallAfter));
      return;
    }
    response.end(body);
  }

  function hasBodyFault(): boolean {
    return (
      faults.cutBodyAfterBytes !== undefined ||
      faults.stallBodyAfterBytes !== undefined ||
      faults.corruptByteAt !== undefined ||
      faults.truncateBodyTo !== undefined
    );
  }

  return {
    url,
    cdnUrl,
    requests,
    setFaults(next: HubServerFaults): void {
      faults = next;
      faultsLeft = next.times ?? Number.POSITIVE_INFINITY;
    },
    commitOf(modelId: string, revision = 'main'): string {
      const resolved = revisionsByRepo.get(modelId)?.get(revision);
      if (!resolved) throw new Error(`The test Hub has no revision ${revision} of ${modelId}`);
      return resolved.commit;
    },
    async close(): Promise<void> {
      await Promise.all([stop(hub), stop(cdn)]);
    },
  };
}

interface ResolveTarget {
  readonly modelId: string;
  readonly revision: string;
  readonly rawRevision: string;
  readonly file: string;
  readonly rawFile: string;
}

/** Splits `/{name}/resolve/{rev}/{path}` or `/{org}/{name}/resolve/{rev}/{path}`. */
function parseResolvePath(pathname: string): ResolveTarget | undefined {
  const segments = pathname.split('/').slice(1);
  const resolveIndex = segments[1] === 'resolve' ? 1 : segments[2] === 'resolve' ? 2 : -1;
  if (resolveIndex < 0 || segments.length < resolveIndex + 3) return undefined;
  try {
    const fileSegments = segments.slice(resolveIndex + 2);
    return {
      modelId: segments.slice(0, resolveIndex).map(decodeURIComponent).join('/'),
      revision: decodeURIComponent(segments[resolveIndex + 1]),
      rawRevision: segments[resolveIndex + 1],
      file: fileSegments.map(decodeURIComponent).join('/'),
      rawFile: fileSegments.join('/'),
    };
  } catch {
    return undefined;
  }
}

/** Splits `/api/models/{id}/revision/{rev}`, the Hub's model info at a revision (its file listing among it). */
function parseRevisionInfoPath(pathname: string): ResolveTarget | undefined {
  const match = /^\/api\/models\/(.+)\/revision\/([^/]+)$/.exec(pathname);
  if (!match) return undefined;
  try {
    const modelId = match[1].split('/').map(decodeURIComponent).join('/');
    return { modelId, revision: decodeURIComponent(match[2]), rawRevision: match[2], file: '', rawFile: '' };
  } catch {
    return undefined;
  }
}

/** The model info the Hub answers at a revision: its id, the commit, and every file as `siblings` (with `?blobs=true`, their sizes and hashes). */
async function sendRevisionInfo(
  request: IncomingMessage,
  response: ServerResponse,
  record: MutableRecord,
  modelId: string,
  revision: ResolvedRevision,
  blobs: boolean,
): Promise<void> {
  const folder = path.resolve(revision.folder);
  const siblings = await Promise.all(
    (await listFolderFiles(folder)).map(async (rfilename) => {
      if (!blobs) return { rfilename };
      // With `?blobs=true`, as the Hub: each file's size and git blob id, and an LFS file's SHA-256.
      const digests = await fileDigests(path.join(folder, ...rfilename.split('/')));
      const size = digests.content.length;
      if (!lfsExtensions.some((extension) => rfilename.endsWith(extension))) return { rfilename, blobId: digests.gitBlobSha1, size };
      return { rfilename, blobId: digests.gitBlobSha1.slice(0, 40), size, lfs: { sha256: digests.sha256, size, pointerSize: 134 } };
    }),
  );
  const body = JSON.stringify({ _id: revision.commit.slice(0, 24), id: modelId, modelId, sha: revision.commit, private: false, siblings });
  record.status = 200;
  response.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Every file under a folder, as `/`-separated paths relative to it. */
async function listFolderFiles(folder: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(path.join(folder, ...prefix.split('/').filter(Boolean)), { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFolderFiles(folder, relative)));
    else if (entry.isFile()) files.push(relative);
  }
  return files;
}

/** The file's absolute path when the revision's folder has it (and the path stays inside the folder). */
async function findFile(revision: ResolvedRevision, file: string): Promise<string | undefined> {
  const folder = path.resolve(revision.folder);
  const absolutePath = path.resolve(folder, ...file.split('/'));
  if (!absolutePath.startsWith(folder + path.sep)) return undefined;
  try {
    return (await stat(absolutePath)).isFile() ? absolutePath : undefined;
  } catch {
    return undefined;
  }
}

function sendRedirect(
  request: IncomingMessage,
  response: ServerResponse,
  record: MutableRecord,
  status: number,
  location: string,
  headers: Record<string, string>,
): void {
  const body = `Found. Redirecting to ${location}`;
  record.status = status;
  response.writeHead(status, {
    ...headers,
    Location: location,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

function sendError(request: IncomingMessage, response: ServerResponse, record: MutableRecord, error: HubError): void {
  const body = JSON.stringify({ error: error.message });
  record.status = error.status;
  response.writeHead(error.status, {
    ...error.headers,
    ...(error.code === undefined ? {} : { 'X-Error-Code': error.code }),
    'X-Error-Message': error.message,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(body)),
  });
  response.end(request.method === 'HEAD' ? undefined : body);
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The test Hub server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}

async function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
