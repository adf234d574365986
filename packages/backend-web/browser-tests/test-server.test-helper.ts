import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixtureModelsFolder = fileURLToPath(new URL('../../../internal/fixtures/models/', import.meta.url));
/** The weights-only repositories (no ONNX export) of `weightRepos`, served at `/hub-repos/`. */
export const weightReposFolder = fileURLToPath(new URL('../../../internal/fixtures/hub-repos/', import.meta.url));
/** The exported graphs of every architecture (`exportedGraphVariants`), served at `/exported-graphs/`. */
export const exportedGraphsFolder = fileURLToPath(new URL('../../../internal/fixtures/exported-graphs/', import.meta.url));
export const onnxruntimeWebFolder = path.dirname(createRequire(import.meta.url).resolve('onnxruntime-web/wasm'));

export interface ServedRequest {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  /** Whether an `Authorization` header came with it. */
  readonly authorization: boolean;
}

export interface TestServer {
  /** The origin, e.g. `http://127.0.0.1:40123`. */
  readonly url: string;
  readonly requests: ServedRequest[];
  /** Requests for model files (under /models/) since the server started. */
  modelRequests(): ServedRequest[];
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** The built app served at `/`. */
  readonly app: string;
  /** Send COOP/COEP so the pages are cross-origin isolated (SharedArrayBuffer, WebAssembly threads). */
  readonly isolated?: boolean;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.png': 'image/png',
};

/**
 * The app's own origin on 127.0.0.1: the built app at `/`, the fixture models at `/models/` and the
 * weights-only repositories at `/hub-repos/` and the exported graphs at `/exported-graphs/` in the Hub
 * folder layout (their tokenizer links followed), and onnxruntime-web's files at
 * `/ort/` (for the wasmPaths option). Every request is recorded.
 */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const mounts: Array<[prefix: string, folder: string]> = [
    ['/models/', fixtureModelsFolder],
    ['/hub-repos/', weightReposFolder],
    ['/exported-graphs/', exportedGraphsFolder],
    ['/ort/', onnxruntimeWebFolder],
    ['/', options.app],
  ];
  const requests: ServedRequest[] = [];
  const server = createServer((request, response) => {
    const record = {
      method: request.method ?? '',
      path: request.url ?? '',
      status: 0,
      authorization: request.headers.authorization !== undefined,
    };
    requests.push(record);
    const send = (status: number, headers: Record<string, string>, body?: NodeJS.ReadableStream): void => {
      record.status = status;
      response.writeHead(status, {
        ...headers,
        ...(options.isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
      });
      if (body === undefined || request.method === 'HEAD') response.end();
      else body.pipe(response);
    };
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const [prefix, folder] = mounts.find(([candidate]) => pathname.startsWith(candidate))!;
      const relative = pathname.slice(prefix.length) || 'index.html';
      const file = path.resolve(folder, relative);
      const info = file.startsWith(path.resolve(folder) + path.sep) ? await stat(file).catch(() => undefined) : undefined;
      if (!info?.isFile()) return send(404, { 'Content-Type': 'text/plain' });
      const type = contentTypes[path.extname(file)] ?? 'application/octet-stream';
      send(200, { 'Content-Type': type, 'Content-Length': String(info.size), 'Cache-Control': 'no-cache' }, createReadStream(file));
    })().catch(() => send(500, { 'Content-Type': 'text/plain' }));
  });
  const url = await listen(server);
  return {
    url,
    requests,
    modelRequests: () => requests.filter((request) => request.path.startsWith('/models/')),
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('The test server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}
