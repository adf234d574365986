import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toPipelineOutput, type FillMask, type FillSettledResult, type MaskPredictions } from '@fillmask/core';
import type { AccessLogEntry } from './access-log-entry.js';
import { createBearerAuth } from './bearer-auth.js';
import { DynamicBatcher } from './dynamic-batcher.js';
import { serverDefaults, type FillMaskServerOptions } from './fill-mask-server-options.js';
import type { FillMaskServerStats } from './fill-mask-server-stats.js';
import { HttpError } from './http-error.js';
import { httpErrorFrom } from './http-error-from.js';
import { parseFillRequest } from './parse-fill-request.js';
import { discardRequestBody, readRequestBody } from './read-request-body.js';
import { formatMetrics } from './format-metrics.js';

export type FillMaskServerStatus = 'loading' | 'ready' | 'failed' | 'stopping' | 'stopped';

export interface FillMaskServer {
  /** Starts listening (default 127.0.0.1:8080; port 0 picks a free one) and resolves with the base URL. */
  listen(options?: { readonly port?: number; readonly host?: string }): Promise<string>;
  /** The base URL once listening, e.g. `http://127.0.0.1:8080`. */
  readonly url: string | undefined;
  readonly status: FillMaskServerStatus;
  /** Settles once the model is loaded (and warmed up, with `warmUp`): `status` is then `ready`, or `failed`. Never rejects. */
  readonly loaded: Promise<void>;
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

/** What is known of a request when it arrives, for its access log entry. */
interface RequestArrival {
  readonly time: string;
  readonly requestId: string;
  readonly path: string;
  readonly started: number;
  readonly facts: RequestFacts;
}

type ServerSettings = ReturnType<typeof resolveSettings>;

/** One server's state, shared by its request handlers, `close` and the stats. */
interface ServerState {
  readonly options: FillMaskServerOptions;
  readonly settings: ServerSettings;
  readonly authorized: (request: IncomingMessage) => boolean;
  status: FillMaskServerStatus;
  fillMask: FillMask | undefined;
  batcher: DynamicBatcher | undefined;
  loadError: unknown;
  url: string | undefined;
  requests: number;
  inFlight: number;
  readonly responses: Record<number, number>;
  /** Resolved when the last request in flight is answered. */
  readonly drainWaiters: Array<() => void>;
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
  const state = initialState(options);
  const loading = loadModel(state);
  const httpServer = createHttpServer(state);
  return {
    listen: (listenOptions) => listen(state, httpServer, listenOptions),
    get url() {
      return state.url;
    },
    get status() {
      return state.status;
    },
    loaded: loading,
    get stats() {
      return snapshot(state);
    },
    httpServer,
    close: (closeOptions) => closeServer(state, httpServer, loading, closeOptions),
  };
}

function resolveSettings(options: FillMaskServerOptions) {
  return { ...serverDefaults, ...withoutUndefined(options) };
}

function initialState(options: FillMaskServerOptions): ServerState {
  return {
    options,
    settings: resolveSettings(options),
    authorized: options.authTokens === undefined ? () => true : createBearerAuth([options.authTokens].flat()),
    status: 'loading',
    fillMask: undefined,
    batcher: undefined,
    loadError: undefined,
    url: undefined,
    requests: 0,
    inFlight: 0,
    responses: {},
    drainWaiters: [],
  };
}

/** Waits for the model (the server answers 503 meanwhile); settles, never rejects. */
function loadModel(state: ServerState): Promise<void> {
  return Promise.resolve(state.options.fillMask).then(
    async (loaded) => {
      if (state.settings.warmUp) await warmUp(loaded);
      state.fillMask = loaded;
      state.batcher = new DynamicBatcher(loaded, state.settings);
      if (state.status === 'loading') state.status = 'ready';
    },
    (error: unknown) => {
      state.loadError = error;
      if (state.status === 'loading') state.status = 'failed';
    },
  );
}

/** One batch of two inputs of different lengths; what it answers does not matter, and a failure shows again at the first request. */
async function warmUp(fillMask: FillMask): Promise<void> {
  const { maskToken } = fillMask;
  await fillMask.fillSettled([`${maskToken}.`, `The ${maskToken} of it.`]).catch(() => undefined);
}

function createHttpServer(state: ServerState): Server {
  const httpServer = createServer((request, response) => void handleRequest(state, request, response));
  httpServer.keepAliveTimeout = state.settings.keepAliveTimeoutMs;
  // Node requires headersTimeout above keepAliveTimeout, or a slow request line can be cut as idle.
  httpServer.headersTimeout = state.settings.keepAliveTimeoutMs + 1000;
  return httpServer;
}

async function listen(
  state: ServerState,
  httpServer: Server,
  { port = 8080, host = '127.0.0.1' }: { readonly port?: number; readonly host?: string } = {},
): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(port, host, () => {
      httpServer.off('error', reject);
      resolve();
    });
  });
  const address = httpServer.address() as AddressInfo;
  state.url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  return state.url;
}

async function closeServer(
  state: ServerState,
  httpServer: Server,
  loading: Promise<void>,
  { timeoutMs = 30_000 }: { readonly timeoutMs?: number } = {},
): Promise<void> {
  if (state.status === 'stopped') return;
  state.status = 'stopping';
  const closed = new Promise<void>((resolve) => {
    if (!httpServer.listening) return resolve();
    httpServer.close(() => resolve());
  });
  const force = setTimeout(() => httpServer.closeAllConnections(), timeoutMs);
  try {
    await loading;
    if (state.inFlight > 0) await new Promise<void>((resolve) => state.drainWaiters.push(resolve));
    await state.batcher?.idle();
    // Keep-alive connections with no request left would otherwise hold the server open.
    httpServer.closeIdleConnections();
    await closed;
  } finally {
    clearTimeout(force);
    state.status = 'stopped';
  }
}

/** Answers one request, on any route, and counts and logs its response once it is closed. */
async function handleRequest(state: ServerState, request: IncomingMessage, response: ServerResponse): Promise<void> {
  state.requests++;
  state.inFlight++;
  const arrival: RequestArrival = {
    started: performance.now(),
    time: new Date().toISOString(),
    requestId: chooseRequestId(request.headers['x-request-id']),
    path: pathOf(request.url),
    facts: { requestBytes: 0, responseBytes: 0 },
  };
  response.setHeader('X-Request-Id', arrival.requestId);
  response.once('close', () => recordResponse(state, request, response, arrival));
  try {
    await route(state, request, response, arrival.path, arrival.facts);
  } catch (error) {
    // The caller hung up (before its body arrived, or while its inputs waited): there is no one to
    // answer, and its response is counted and logged as 499.
    if (response.destroyed) return;
    sendError(state, response, error, arrival.facts);
  }
}

function recordResponse(state: ServerState, request: IncomingMessage, response: ServerResponse, arrival: RequestArrival): void {
  const aborted = !response.writableFinished;
  const code = aborted && !response.headersSent ? 499 : response.statusCode;
  state.responses[code] = (state.responses[code] ?? 0) + 1;
  state.options.accessLog?.(logEntry({ ...arrival, request, status: code, aborted }));
  state.inFlight--;
  if (state.inFlight === 0) for (const resolve of state.drainWaiters.splice(0)) resolve();
}

/** The error as `{"error": message}`, or a cut connection when the response has already begun. */
function sendError(state: ServerState, response: ServerResponse, error: unknown, facts: RequestFacts): void {
  const answer = httpErrorFrom(error);
  if (answer.type === 'internal-error') console.error('[fillmask server]', error);
  facts.error = answer.type;
  if (!response.headersSent) sendJson(state, response, answer.status, { error: answer.message }, answer.headers, facts);
  else response.destroy();
}

async function route(
  state: ServerState,
  request: IncomingMessage,
  response: ServerResponse,
  path: string,
  facts: RequestFacts,
): Promise<void> {
  const method = request.method ?? 'GET';
  if (path === '/health') return sendHealth(state, response, method, facts);
  if (!state.authorized(request)) {
    throw new HttpError(401, 'Missing or invalid access token: send Authorization: Bearer <token>.', 'unauthorized', {
      'WWW-Authenticate': 'Bearer',
    });
  }
  if (path === '/metrics') return sendMetrics(state, response, method, facts);
  const target = parseTarget(path);
  if (target === undefined)
    throw new HttpError(404, `No route ${path}: POST / or /models/<id> to fill masks; GET /health, /info, /metrics.`, 'not-found');
  if (target.modelId !== undefined && target.modelId !== servedModelId(state)) {
    throw new HttpError(404, `Model ${target.modelId} is not served here; this server serves ${servedModelId(state)}.`, 'unknown-model');
  }
  if (target.info) return sendInfo(state, response, method, facts);
  requireMethod(method, ['POST']);
  return fill(state, request, response, facts);
}

/** `GET /health`: 200 once the model is ready, 503 with the status (and the load error) otherwise. */
function sendHealth(state: ServerState, response: ServerResponse, method: string, facts: RequestFacts): void {
  requireMethod(method, ['GET', 'HEAD']);
  const { status } = state;
  const ready = status === 'ready';
  const body = status === 'failed' ? { status, error: describeLoadError(state.loadError) } : { status: ready ? 'ok' : status };
  sendJson(state, response, ready ? 200 : 503, body, {}, facts, method === 'HEAD');
}

/** `GET /metrics`: the stats in Prometheus' text format. */
function sendMetrics(state: ServerState, response: ServerResponse, method: string, facts: RequestFacts): void {
  requireMethod(method, ['GET']);
  response.setHeader('Content-Type', 'text/plain; version=0.0.4; charset=utf-8');
  closeIfStopping(state, response);
  const text = formatMetrics(snapshot(state));
  facts.responseBytes = Buffer.byteLength(text);
  response.writeHead(200, { 'Content-Length': facts.responseBytes });
  response.end(text);
}

/** `GET /info`: the model id, its mask token, its longest input and its backend. */
function sendInfo(state: ServerState, response: ServerResponse, method: string, facts: RequestFacts): void {
  requireMethod(method, ['GET']);
  const model = readyModel(state);
  const maxLength = Number.isFinite(model.maxLength) ? model.maxLength : null;
  sendJson(state, response, 200, { model: servedModelId(state), maskToken: model.maskToken, maxLength, backend: model.backend }, {}, facts);
}

/** `POST`: fills the masks of the request's inputs, in a batch shared with the requests queued alongside. */
async function fill(state: ServerState, request: IncomingMessage, response: ServerResponse, facts: RequestFacts): Promise<void> {
  const model = readyModel(state);
  const deadline = AbortSignal.timeout(state.settings.requestTimeoutMs);
  const body = await readFillBody(state, request, response, deadline);
  facts.requestBytes = body.length;
  const parsed = parseFillRequest(body, model);
  facts.inputs = parsed.inputs.length;
  const submission = state.batcher!.submit({
    inputs: parsed.inputs,
    topK: parsed.topK ?? defaultTopK,
    targets: parsed.targets,
    truncation: parsed.truncation,
  });
  // A caller that hangs up, or runs out of time, gives its place in the queue to the next one.
  response.once('close', submission.cancel);
  let results: FillSettledResult[];
  try {
    results = await untilDeadline(submission.results, deadline, state.settings.requestTimeoutMs);
  } catch (error) {
    submission.cancel();
    throw error;
  }
  const failed = results.findIndex((result) => result.status === 'rejected');
  if (failed >= 0) throw httpErrorFrom((results[failed] as { reason: Error }).reason, parsed.isList ? failed : undefined);
  const values = results.map((result) => toPipelineOutput((result as { value: MaskPredictions[] }).value));
  // As the Python pipeline: one input (a string, or a list of one) gives its own result, unwrapped.
  sendJson(state, response, 200, values.length === 1 ? values[0] : values, {}, facts);
}

async function readFillBody(
  state: ServerState,
  request: IncomingMessage,
  response: ServerResponse,
  deadline: AbortSignal,
): Promise<Buffer> {
  const { maxBodyBytes, requestTimeoutMs } = state.settings;
  try {
    return await untilDeadline(readRequestBody(request, maxBodyBytes), deadline, requestTimeoutMs);
  } catch (error) {
    // Refused (413) or late (504) while the client may still be sending: let it finish, then hang up.
    response.setHeader('Connection', 'close');
    discardRequestBody(request, maxBodyBytes * 64);
    throw error;
  }
}

function sendJson(
  state: ServerState,
  response: ServerResponse,
  statusCode: number,
  body: unknown,
  headers: Readonly<Record<string, string>>,
  facts: RequestFacts,
  headOnly = false,
): void {
  closeIfStopping(state, response);
  const text = JSON.stringify(body);
  facts.responseBytes = headOnly ? 0 : Buffer.byteLength(text);
  response.writeHead(statusCode, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(headOnly ? undefined : text);
}

/** Every answer sent while stopping closes its connection, so that no client keeps one to a closing server. */
function closeIfStopping(state: ServerState, response: ServerResponse): void {
  if (state.status === 'stopping' || state.status === 'stopped') response.setHeader('Connection', 'close');
}

/** The promise's outcome, or a 504 once the request's deadline has passed. */
function untilDeadline<Value>(promise: Promise<Value>, deadline: AbortSignal, timeoutMs: number): Promise<Value> {
  return new Promise<Value>((resolve, reject) => {
    const onTimeout = () => reject(new HttpError(504, `The request took longer than ${timeoutMs} ms.`, 'timeout'));
    if (deadline.aborted) return onTimeout();
    deadline.addEventListener('abort', onTimeout, { once: true });
    promise.then(resolve, reject).finally(() => deadline.removeEventListener('abort', onTimeout));
  });
}

/** The model once loaded, or the 503 that says why there is none to run. */
function readyModel(state: ServerState): FillMask {
  if (state.status === 'ready' && state.fillMask !== undefined) return state.fillMask;
  if (state.status === 'loading') {
    throw new HttpError(503, `Model ${servedModelId(state)} is currently loading.`, 'loading', { 'Retry-After': '5' });
  }
  if (state.status === 'failed')
    throw new HttpError(503, `Model ${servedModelId(state)} failed to load: ${describeLoadError(state.loadError)}`, 'load-failed');
  throw new HttpError(503, 'The server is shutting down.', 'stopping', { 'Retry-After': '1' });
}

function servedModelId(state: ServerState): string {
  return state.options.modelId ?? state.fillMask?.model ?? 'the model';
}

function snapshot(state: ServerState): FillMaskServerStats {
  const { batcher } = state;
  const counters = batcher?.counters ?? { batches: 0, batchedRequests: 0, batchedInputs: 0, largestBatchRequests: 0 };
  const passes = state.fillMask?.passes;
  return {
    ...counters,
    requests: state.requests,
    responses: { ...state.responses },
    inFlightRequests: state.inFlight,
    queuedInputs: batcher?.queuedInputs ?? 0,
    forwardPasses: passes?.passes ?? 0,
    forwardPassRows: passes?.rows ?? 0,
    forwardPassTokens: passes?.tokens ?? 0,
    forwardPassPaddedTokens: passes?.paddedTokens ?? 0,
  };
}

function requireMethod(method: string, allowed: readonly string[]): void {
  if (!allowed.includes(method)) {
    throw new HttpError(405, `Method ${method} is not allowed here; use ${allowed.join(' or ')}.`, 'method-not-allowed', {
      Allow: allowed.join(', '),
    });
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

function logEntry(facts: RequestArrival & { request: IncomingMessage; status: number; aborted: boolean }): AccessLogEntry {
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
