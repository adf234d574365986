import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import path from 'node:path';

/** A URL prefix (`/models/`) and the folder served under it. */
export type Mount = readonly [prefix: string, folder: string];

export interface BenchPageServer {
  /** The origin, `http://127.0.0.1:<port>`. */
  readonly url: string;
  close(): Promise<void>;
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/**
 * Serves folders on 127.0.0.1, the first mount whose prefix a path starts with, every answer with
 * COOP/COEP so the pages are cross-origin isolated: SharedArrayBuffer, hence WebAssembly threads.
 * Nothing is cached by the browser's HTTP cache between loads (`no-store`): each load reads the model
 * over the network as a first visit does (the libraries' own Cache API copies are theirs to make).
 */
export async function startBenchPageServer(mounts: readonly Mount[]): Promise<BenchPageServer> {
  const server = createServer((request, response) => {
    const send = (status: number, headers: Record<string, string>, file?: string): void => {
      response.writeHead(status, {
        ...headers,
        'Cross-Origin-Opener-Policy': 'same-origin',
        'Cross-Origin-Embedder-Policy': 'require-corp',
        'Cache-Control': 'no-store',
      });
      if (file === undefined || request.method === 'HEAD') response.end();
      else createReadStream(file).pipe(response);
    };
    void (async () => {
      const pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname);
      const mount = mounts.find(([prefix]) => pathname.startsWith(prefix));
      if (!mount) return send(404, { 'Content-Type': 'text/plain' });
      const [prefix, folder] = mount;
      const file = path.resolve(folder, pathname.slice(prefix.length) || 'index.html');
      const info = file.startsWith(path.resolve(folder) + path.sep) ? await stat(file).catch(() => undefined) : undefined;
      if (!info?.isFile()) return send(404, { 'Content-Type': 'text/plain' });
      send(
        200,
        { 'Content-Type': contentTypes[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': String(info.size) },
        file,
      );
    })().catch(() => send(500, { 'Content-Type': 'text/plain' }));
  });
  const url = await listen(server);
  return {
    url,
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
  if (address === null || typeof address === 'string') throw new Error('the page server has no TCP address');
  return `http://127.0.0.1:${address.port}`;
}
