import { createReadStream, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { modelPath as trainedModelFolder } from '@fillmask/model-mini-en';
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
  plugins: [serveModels()],
});

/** The files of a model in the Hub folder layout that the page reads (both precisions). */
const trainedModelFiles = [
  'config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'onnx/model.onnx',
  'onnx/model_quantized.onnx',
];

/**
 * Serves the models from the app's own origin, in the Hub folder layout: the project's trained
 * model (@fillmask/model-mini-en, which exports its folder) at /model-mini-en/, in dev and preview
 * and copied into the production build; and this repository's tiny test models at /models/, in dev
 * and preview only.
 */
function serveModels(): Plugin {
  const fixtureModels = fileURLToPath(new URL('../../internal/fixtures/models/', import.meta.url));
  const fileOf = (pathname: string): string | undefined => {
    const trained = /^\/model-mini-en\/(.+)$/.exec(pathname);
    if (trained) return trainedModelFiles.includes(trained[1]) ? path.join(trainedModelFolder, trained[1]) : undefined;
    const fixture = /^\/models\/([\w.-]+(?:\/[\w.-]+)*)$/.exec(pathname);
    return fixture && !fixture[1].split('/').includes('..') ? `${fixtureModels}${fixture[1]}` : undefined;
  };
  const middleware = (request: { url?: string }, response: import('node:http').ServerResponse, next: () => void): void => {
    const file = fileOf((request.url ?? '').split('?')[0]);
    const size = file === undefined ? undefined : statSync(file, { throwIfNoEntry: false });
    if (file === undefined || !size?.isFile()) {
      next();
      return;
    }
    response.writeHead(200, {
      'Content-Type': file.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      'Content-Length': size.size,
    });
    createReadStream(file).pipe(response);
  };
  return {
    name: 'fillmask-models',
    configureServer: (server) => void server.middlewares.use(middleware),
    configurePreviewServer: (server) => void server.middlewares.use(middleware),
    generateBundle() {
      for (const file of trainedModelFiles) {
        this.emitFile({ type: 'asset', fileName: `model-mini-en/${file}`, source: readFileSync(path.join(trainedModelFolder, file)) });
      }
    },
  };
}
