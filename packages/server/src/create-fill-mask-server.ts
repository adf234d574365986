import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toPipelineOutput, type FillMask, type FillSettledResult, type MaskPredictions } from '@fillmask/core';
import type { AccessLogEntry } from './access-log-entry.js';
import { createBearerAuth } from './bearer-auth.js';
import { DynamicBatcher, type BatchCounters } from './dynamic-batcher.js';
import { serverDefaults, type FillMaskServerOptions } from './fill-mask-server-options.js';
import { HttpError } from './http-error.js';
import { httpErrorFrom } from './http-error-from.js';
import { parseFillRequest } from './parse-fill-request.js';
import { discardRequestBody, readRequestBody } from './read-request-body.js';
import { formatMetrics } from './format-metrics.js';

export type FillMaskServerStatus = 'loading' | 'ready' | 'failed' | 'stopping' | 'stopped';

/** Counters since the server was created. */
export interface FillMaskServerStats extends BatchCounters {
  /** Requests received, on every route. */
  readonly requests: number;
  /** Responses sent, by status code. */
  readonly responses: Readonly<Record<number, number>>;
  /** Requests being answered now. */
  readonly inFlightRequests: number;
  /** Inputs waiting for a batch now. */
  readonly queuedInputs: number;
}

export interface FillMaskServer {
  /** Starts listening (default 127.0.0.1:8080; port 0 picks a free one) and resolves with the base URL. */
  listen(options?: { readonly port?: number; readonly host?: string }): Promise<string>;
  /** The base URL once listening, e.g. `http://127.0.0.1:8080`. */
  readonly url: string | undefined;
  readonly status: FillMaskServerStatus;
  readonly stats: FillMaskServerStats;
  /** The underlying Node server, e.g. to attach it elsewhere instead of calling `listen`. */
  readonly httpServer: Server;
  /**
   * Graceful shutdown: stops accepting connections, answers every request already received, then
   * closes. After `timeoutMs` (default 30 000) the remaining connections are cut. The FillMask is
   * not disposed: it belongs to the caller.
   */
  close(options?: { readonly timeoutMs?: number }): Promise<void>;
}

const defaultTopK = 5;

/** What the access log says about a request, gathered while it is answered. */
interface RequestFacts {
  requestBytes: number;
  responseBytes: number;
  inputs?: number;
  error?: string;
}

/**
 * An HTTP server for one model, speaking the Hugging Face Inference API's fill-mask protocol:
 * `POST /` or `POST /models/<id>` with `{"inputs": string | string[], "parameters": {"top_k"?,
 * "targets"?}}`, answered with what the Python pipeline returns. Also `GET /health`, `GET /info`
 * (`{model, maskToken, maxLength, backend}`) and `GET /metrics` (Prometheus text).
 *
 * @example
 * const server = createFillMaskServer({ fillMask: await createFillMask({ model: 'distilbert/distilroberta-base' }) });
 * console.log(await server.listen({ port: 8080 }));
 */
export function createFillMaskServer(options: FillMaskServerOptions): FillMaskServer {
  const settings = { ...serverDefaults, ...withoutUndefined(options) };
  const authorized = options.authTokens === undefined ? () => true : createBearerAuth([options.authTokens].flat());
  let status: FillMaskServerStatus = 'loading';
  let fillMask: FillMask | undefined;
  let batcher: DynamicBatcher | undefined;
  let loadError: unknown;
  let url: string | undefined;
  let requests = 0;
  let inFlight = 0;
  const responses: Record<number, number> = {};
  const drainWaiters: Array<() => void> = [];

  const loading = Promise.resolve(options.fillMask).then(
    (loaded) => {
      fillMask = loaded;
      batcher = new DynamicBatcher(loaded, settings);
      if (status === 'loading') status = 'ready';
    },
    (error: unknown) => {
      loadError = error;
      if (status === 'loading') status = 'failed';
    },
  );

  const httpServer = createServer((request, response) => void handle(request, response));
  httpServer.keepAliveTimeout = settings.keepAliveTimeoutMs;
  // Node requires headersTimeout above keepAliveTimeout, or a slow request line can be cut as idle.
  httpServer.headersTimeout = settings.keepAliveTimeoutMs + 1000;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    requests++;
    inFlight++;
    const started = performance.now();
    const time = new Date().toISOString();
    const requestId = chooseRequestId(request.headers['x-request-id']);
    const path = pathOf(request.url);
    const facts: RequestFacts = { requestBytes: 0, responseBytes: 0 };
    response.setHeader('X-Request-Id', requestId);
    response.once('close', () => {
      const aborted = !response.writableFinished;
      const code = aborted && !response.headersSent ? 499 : response.statusCode;
      responses[code] = (responses[code] ?? 0) + 1;
      options.accessLog?.(logEntry({ time, requestId, request, path, status: code, started, facts, aborted }));
      inFlight--;
      if (inFlight === 0) for (const resolve of drainWaiters.splice(0)) resolve();
    });
    try {
      await route(request, response, path, facts);
    } catch (error) {
      const answer = httpErrorFrom(error);
      if (answer.type === 'internal-error') console.error('[fillmask server]', error);
      facts.error = answer.type;
      if (!response.headersSent) sendJson(response, answer.status, { error: answer.message }, answer.headers, facts);
      else response.destroy();
    }
  }

  async function route(request: IncomingMessage, response: ServerResponse, path: string, facts: RequestFacts): Promise<void> {
    const method = request.method ?? 'GET';
    if (path === '/health') {
      requireMethod(method, ['GET', 'HEAD']);
      const ready = status === 'ready';
      const body = status === 'failed' ? { status, error: describeLoadError(loadError) } : { status: ready ? 'ok' : status };
      return sendJson(response, ready ? 200 : 503, body, {}, facts, method === 'HEAD');
    }
    if (!authorized(request)) {
      throw new HttpError(401, 'Missing or invalid access token: send Authorization: Bearer <token>.', 'unauthorized', { 'WWW-Authenticate': 'Bearer' });
    }
    if (path === '/metrics') {
      requireMethod(method, ['GET']);
      response.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
      closeIfStopping(response);
      const text = formatMetrics(snapshot());
      facts.responseBytes = Buffer.byteLength(text);
      response.writeHead(200, { 'Content-Length': facts.responseBytes });
      response.end(text);
      return;
    }
    const target = parseTarget(path);
    if (target === undefined) throw new HttpError(404, `No route ${path}: POST / or /models/<id> to fill masks; GET /health, /info, /metrics.`, 'not-found');
    if (target.modelId !== undefined && target.modelId !== servedModelId()) {
      throw new HttpError(404, `Model ${target.modelId} is not served here; this server serves ${servedModelId()}.`, 'unknown-model');
    }
    if (target.info) {
      requireMethod(method, ['GET']);
      const model = readyModel();
      const maxLength = Number.isFinite(model.maxLength) ? model.maxLength : null;
      return sendJson(response, 200, { model: servedModelId(), maskToken: model.maskToken, maxLength, backend: model.backend }, {}, facts);
    }
    requireMethod(method, ['POST']);
    return fill(request, response, facts);
  }

  async function fill(request: IncomingMessage, response: ServerResponse, facts: RequestFacts): Promise<void> {
    const model = readyModel();
    const deadline = AbortSignal.timeout(settings.requestTimeoutMs);
    let body: Buffer;
    try {
      body = await untilDeadline(readRequestBody(request, settings.maxBodyBytes), deadline);
    } catch (error) {
      // Refused (413) or late (504) while the client may still be sending: let it finish, then hang up.
      response.setHeader('Connection', 'close');
      discardRequestBody(request, settings.maxBodyBytes * 64);
      throw error;
    }
    facts.requestBytes = body.length;
    const parsed = parseFillRequest(body, model.maskToken);
    facts.inputs = parsed.inputs.length;
    const submission = batcher!.submit({ inputs: parsed.inputs, topK: parsed.topK ?? defaultTopK, targets: parsed.targets, truncation: parsed.truncation });
    // A caller that hangs up, or runs out of time, gives its place in the queue to the next one.
    response.once('close', submission.cancel);
    let results: FillSettledResult[];
    try {
      results = await untilDeadline(submission.results, deadline);
    } catch (error) {
      submission.cancel();
      throw error;
    }
    const failed = results.findIndex((result) => result.status === 'rejected');
    if (failed >= 0) throw httpErrorFrom((results[failed] as { reason: Error }).reason, parsed.isList ? failed : undefined);
    const values = results.map((result) => toPipelineOutput((result as { value: MaskPredictions[] }).value));
    // As the Python pipeline: one input (a string, or a list of one) gives its own result, unwrapped.
    sendJson(response, 200, values.length === 1 ? values[0] : values, {}, facts);
  }

  function sendJson(
    response: ServerResponse,
    statusCode: number,
    body: unknown,
    headers: Readonly<Record<string, string>>,
    facts: RequestFacts,
    headOnly = false,
  ): void {
    closeIfStopping(response);
    const text = JSON.stringify(body);
    facts.responseBytes = headOnly ? 0 : Buffer.byteLength(text);
    response.writeHead(statusCode, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    response.end(headOnly ? undefined : text);
  }

  /** Every answer sent while stopping closes its connection, so that no client keeps one to a closing server. */
  function closeIfStopping(response: ServerResponse): void {
    if (status === 'stopping' || status === 'stopped') response.setHeader('Connection', 'close');
  }

  function untilDeadline<Value>(promise: Promise<Value>, deadline: AbortSignal): Promise<Value> {
    return new Promise<Value>((resolve, reject) => {
      const onTimeout = () => reject(new HttpError(504, `The request took longer than ${settings.requestTimeoutMs} ms.`, 'timeout'));
      if (deadline.aborted) return onTimeout();
      deadline.addEventListener('abort', onTimeout, { once: true });
      promise.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onTimeout));
    });
  }

  function readyModel(): FillMask {
    if (status === 'ready' && fillMask !== undefined) return fillMask;
    if (status === 'loading') {
      throw new HttpError(503, `Model ${servedModelId()} is currently loading.`, 'loading', { 'Retry-After': '5' });
    }
    if (status === 'failed') throw new HttpError(503, `Model ${servedModelId()} failed to load: ${describeLoadError(loadError)}`, 'load-failed');
    throw new HttpError(503, 'The server is shutting down.', 'stopping', { 'Retry-After': '1' });
  }

  function servedModelId(): string {
    return options.modelId ?? fillMask?.model ?? 'the model';
  }

  function snapshot(): FillMaskServerStats {
    const counters = batcher?.counters ?? { batches: 0, batchedRequests: 0, batchedInputs: 0, largestBatchRequests: 0 };
    return { ...counters, requests, responses: { ...responses }, inFlightRequests: inFlight, queuedInputs: batcher?.queuedInputs ?? 0 };
  }

  async function close({ timeoutMs = 30_000 }: { readonly timeoutMs?: number } = {}): Promise<void> {
    if (status === 'stopped') return;
    status = 'stopping';
    const closed = new Promise<void>((resolve) => {
      if (!httpServer.listening) return resolve();
      httpServer.close(() => resolve());
    });
    const force = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
    try {
      await loading;
      if (inFlight > 0) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      await batcher?.idle();
      // Keep-alive connections with no request left would otherwise hold the server open.
      httpServer.closeIdleConnections();
      await closed;
    } finally {
      clearTimeout(force);
      status = 'stopped';
    }
  }

  return {
    async listen({ port = 8080, host = '127.0.0.1' } = {}) {
      await new Promise<void>((resolve, reject) => {
        httpServer.once('error', reject);
        httpServer.listen(port, host, () => {
          httpServer.off('error', reject);
          resolve();
        });
      });
      const address = httpServer.address() as AddressInfo;
      url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
      return url;
    },
    get url() {
      return url;
    },
    get status() {
      return status;
    },
    get stats() {
      return snapshot();
    },
    httpServer,
    close,
  };
}

function requireMethod(method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method)) {
    throw new HttpError(405, `Method ${method} is not allowed here; use ${allowed.join(' or ')}.`, 'method-not-allowed', { Allow: allowed.join(', ') });
  }
}

/** `/` and `/models/<id>` fill masks; `/info` and `/models/<id>/info` describe the model. */
function parseTarget(requestPath: string): { modelId?: string; info: boolean } | undefined {
  // `http://host/models/org/name/` is how many clients spell an endpoint URL.
  const path = requestPath.length > 1 ? requestPath.replace(/\/+$/, '') : requestPath;
  if (path === '/') return { info: false };
  if (path === '/info') return { info: true };
  if (!path.startsWith('/models/')) return undefined;
  let segments: string[];
  try {
    segments = path.slice('/models/'.length).split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
  // Hub ids have at most two segments, so `/models/org/name/info` is unambiguous.
  const info = segments.length > 1 && segments[segments.length - 1] === 'info';
  const idSegments = info ? segments.slice(0, -1) : segments;
  if (idSegments.length > 2 || idSegments.some((segment) => segment === '')) return undefined;
  return { modelId: idSegments.join('/'), info };
}

function pathOf(requestUrl: string | undefined): string {
  const raw = requestUrl ?? '/';
  const queryStart = raw.search(/[?#]/);
  return queryStart < 0 ? raw : raw.slice(0, queryStart);
}

/** A load balancer's request id is kept, so one id follows the request through both logs. */
function chooseRequestId(header: string | string[] | undefined): string {
  const given = Array.isArray(header) ? header[0] : header;
  return given !== undefined && /^[\w.:=/+-]{1,200}$/.test(given) ? given : randomUUID();
}

function logEntry(facts: {
  time: string;
  requestId: string;
  request: IncomingMessage;
  path: string;
  status: number;
  started: number;
  facts: RequestFacts;
  aborted: boolean;
}): AccessLogEntry {
  const { request } = facts;
  return {
    time: facts.time,
    requestId: facts.requestId,
    method: request.method ?? '',
    path: facts.path,
    status: facts.status,
    durationMs: Math.round((performance.now() - facts.started) * 10) / 10,
    requestBytes: facts.facts.requestBytes,
    responseBytes: facts.facts.responseBytes,
    ...(facts.facts.inputs === undefined ? {} : { inputs: facts.facts.inputs }),
    ...(facts.facts.error === undefined ? {} : { error: facts.facts.error }),
    ...(request.socket.remoteAddress === undefined ? {} : { remoteAddress: request.socket.remoteAddress }),
    ...(request.headers['user-agent'] === undefined ? {} : { userAgent: request.headers['user-agent'] }),
    ...(facts.aborted ? { aborted: true } : {}),
  };
}

function describeLoadError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function withoutUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as Partial<T>;
}
