import { parentPort, workerData } from 'node:worker_threads';
import { buildGraphFile } from './build-graph-file.js';
import type { BuildGraphFailure, BuildGraphJob } from './build-graph-job.js';

// A worker thread's entry: builds one graph and exits, so the weights it read and the graph it
// encoded are freed with its heap, before onnxruntime opens the graph in the thread that asked.
try {
  await buildGraphFile(workerData as BuildGraphJob);
  parentPort?.postMessage({ result: true });
} catch (error) {
  const { name, message, model, file, reason } = error as Error & Partial<BuildGraphFailure>;
  parentPort?.postMessage({ failure: { name: String(name), message: String(message), model, file, reason } satisfies BuildGraphFailure });
}
