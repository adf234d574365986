import { createFillMask, type FillMask } from '@fillmask/core';
import { createWebBackend } from '@fillmask/backend-web';
import { markReady, pageTimed, type BenchPage } from './bench-page-api.js';

let fillMask: FillMask | undefined;

function loaded(): FillMask {
  if (!fillMask) throw new Error('load the model first');
  return fillMask;
}

/** fillmask's web backend on WebAssembly, onnxruntime-web's files served at `/ort/`; it batches and sorts by length itself. */
const page: BenchPage = {
  async load({ modelPath, dtype, threads, topK }) {
    const milliseconds = await pageTimed(async () => {
      fillMask = await createFillMask({
        model: modelPath,
        dtype,
        topK,
        backend: createWebBackend({ wasmPaths: '/ort/', numThreads: threads }),
        onWarning: () => undefined,
      });
    });
    return { milliseconds, crossOriginIsolated: globalThis.crossOriginIsolated };
  },
  async topToken(text) {
    const [predictions] = await loaded().fill(text);
    return predictions[0].token_str;
  },
  fillOne: (text) => pageTimed(() => loaded().fill(text)),
  fillAll: (texts) => pageTimed(() => loaded().fill(texts)),
};

markReady(page);
