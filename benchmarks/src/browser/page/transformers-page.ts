import { markReady, pageTimed, type BenchPage } from './bench-page-api.js';

type Transformers = typeof import('@huggingface/transformers');
type FillMaskPipeline = (texts: string | string[], options: { top_k: number }) => Promise<unknown>;

/** transformers.js's browser bundle as published (`dist/transformers.js`, onnxruntime-web inside it), served at `/transformers/`. */
const bundleUrl = '/transformers/transformers.js';
/** The `.wasm` and `.mjs` files of the onnxruntime-web build the bundle was made with, served locally instead of its default CDN. */
const runtimeFilesUrl = '/transformers-ort/';

let fillMask: FillMaskPipeline | undefined;
let topK = 5;

function loaded(): FillMaskPipeline {
  if (!fillMask) throw new Error('load the model first');
  return fillMask;
}

const page: BenchPage = {
  async load({ modelPath, dtype, threads, topK: k }) {
    topK = k;
    const milliseconds = await pageTimed(async () => {
      const { pipeline, env } = (await import(/* @vite-ignore */ bundleUrl)) as Transformers;
      env.allowRemoteModels = false;
      env.allowLocalModels = true;
      const folder = modelPath.replace(/\/+$/, '');
      env.localModelPath = `${folder.slice(0, folder.lastIndexOf('/') + 1)}`;
      const wasm = env.backends.onnx.wasm!;
      wasm.wasmPaths = runtimeFilesUrl;
      wasm.numThreads = threads;
      fillMask = (await pipeline('fill-mask', folder.slice(folder.lastIndexOf('/') + 1), {
        dtype,
        device: 'wasm',
      })) as unknown as FillMaskPipeline;
    });
    return { milliseconds, crossOriginIsolated: globalThis.crossOriginIsolated };
  },
  async topToken(text) {
    const [first] = (await loaded()(text, { top_k: topK })) as Array<{ token_str: string }>;
    return first.token_str;
  },
  fillOne: (text) => pageTimed(() => loaded()(text, { top_k: topK })),
  async fillAll(texts, batchSize) {
    return pageTimed(async () => {
      for (let start = 0; start < texts.length; start += batchSize) await loaded()(texts.slice(start, start + batchSize), { top_k: topK });
    });
  },
};

markReady(page);
