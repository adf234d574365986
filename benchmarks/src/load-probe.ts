import { basename, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  debugLabel,
  graphSource,
  loadProbeResultTag,
  type LoadMark,
  type LoadProbeRequest,
  type LoadProbeResult,
} from './load-measures.js';
import { memoryStatus, peakRssBytes } from './process-memory.js';

/**
 * Run in a fresh child process per load by `measureLoads` (load-benchmark.ts): import the library
 * (and onnxruntime-node), then time its load of the model (createFillMask, or transformers.js's
 * `pipeline('fill-mask')`) and its first fill of one sentence, and report them with the process's
 * peak RSS (VmHWM) and its memory at each step (fillmask's debug lines mark the build, the cache and
 * the session). Without a folder it loads nothing: the baseline. The result is the line after
 * `loadProbeResultTag` on stdout, whatever the libraries print before it.
 */

const request = JSON.parse(process.argv[2]) as LoadProbeRequest;
const marks: LoadMark[] = [];
const debugMessages: string[] = [];
let start = 0;
const mark = (label: string, message?: string) => {
  const now = performance.now();
  const memory = memoryStatus('self') ?? {
    rssBytes: process.memoryUsage.rss(),
    peakRssBytes: peakRssBytes(),
    anonymousBytes: 0,
    fileBytes: 0,
  };
  marks.push({ label, ms: now - start, at: performance.timeOrigin + now, ...memory, ...(message !== undefined && { message }) });
  return now;
};

let result: LoadProbeResult;
try {
  result = request.library === 'fillmask' ? await loadFillmask() : await loadTransformersJs();
} catch (error) {
  result = { startupMs: start, peakRssBytes: peakRssBytes(), marks, error: String((error as Error)?.message ?? error) };
}
process.stdout.write(`\n${loadProbeResultTag}${JSON.stringify(result)}\n`);
process.exit(0);

async function loadFillmask(): Promise<LoadProbeResult> {
  const [{ createFillMask }, { createOnnxBackend }, runtime] = await Promise.all([
    import('@fillmask/core'),
    import('@fillmask/backend-onnx'),
    import('onnxruntime-node'),
  ]);
  start = performance.now();
  mark('start');
  if (request.folder === undefined) return { startupMs: start, peakRssBytes: peakRssBytes(), marks };
  const fillMask = await createFillMask({
    model: request.folder,
    dtype: 'fp32',
    topK: 5,
    backend: createOnnxBackend({
      runtime,
      sessionOptions: { intraOpNumThreads: request.threads },
      builtGraphCache: request.builtGraphCache ?? false,
      onDebug: (message) => {
        debugMessages.push(message);
        mark(debugLabel(message), message);
      },
    }),
    onWarning: () => undefined,
  });
  const loaded = mark('loaded');
  await fillMask.fill(request.sentence);
  const filled = mark('filled');
  await fillMask.dispose();
  return {
    startupMs: start,
    loadMs: loaded - start,
    firstFillMs: filled - loaded,
    peakRssBytes: peakRssBytes(),
    marks,
    graph: graphSource(debugMessages),
  };
}

async function loadTransformersJs(): Promise<LoadProbeResult> {
  const [{ pipeline, env }] = await Promise.all([import('@huggingface/transformers'), import('onnxruntime-node')]);
  start = performance.now();
  mark('start');
  if (request.folder === undefined) return { startupMs: start, peakRssBytes: peakRssBytes(), marks };
  env.allowRemoteModels = false;
  env.allowLocalModels = true;
  env.localModelPath = `${dirname(request.folder)}/`;
  const fillMask = await pipeline('fill-mask', basename(request.folder), {
    dtype: 'fp32',
    device: 'cpu',
    session_options: { intraOpNumThreads: request.threads },
  });
  const loaded = mark('loaded');
  await fillMask(request.sentence, { top_k: 5 });
  const filled = mark('filled');
  await fillMask.dispose();
  return { startupMs: start, loadMs: loaded - start, firstFillMs: filled - loaded, peakRssBytes: peakRssBytes(), marks };
}
