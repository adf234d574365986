import { createReadStream, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';

// Threads need a cross-origin isolated page (SharedArrayBuffer): these two headers make it so.
const isolationHeaders = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  // The worker loads onnxruntime-web with a dynamic import: that needs module workers.
  worker: { format: 'es' },
  // In dev, keep onnxruntime-web out of the pre-bundle so its `new URL('*.wasm', import.meta.url)`
  // still points at its own folder; production builds copy the .wasm file into the app's assets.
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { headers: isolationHeaders },
  preview: { headers: isolationHeaders },
  plugins: [serveFixtureModels()],
});

/** Serves this repository's tiny test models at /models/ in dev and preview, in the Hub folder layout. */
function serveFixtureModels(): Plugin {
  const root = fileURLToPath(new URL('../../internal/fixtures/models/', import.meta.url));
  const middleware = (request: { url?: string }, response: import('node:http').ServerResponse, next: () => void): void => {
    const match = /^\/models\/([\w.-]+(?:\/[\w.-]+)*)$/.exec((request.url ?? '').split('?')[0]);
    const file = match && !match[1].split('/').includes('..') ? `${root}${match[1]}` : undefined;
    const size = file === undefined ? undefined : statSync(file, { throwIfNoEntry: false });
    if (file === undefined || !size?.isFile()) return next();
    response.writeHead(200, { 'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream', 'Content-Length': size.size });
    createReadStream(file).pipe(response);
  };
  return {
    name: 'fillmask-fixture-models',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
  };
}
