import { parentPort, workerData } from 'node:worker_threads';
import { prepareAndKeep, type PrepareAndKeepJob } from './prepare-and-keep.js';

// A worker thread's entry: prepares one graph, keeps it and exits, so the weights it read and the
// graph it wrote are freed with its heap, before onnxruntime opens the graph in the thread that asked.
try {
  parentPort?.postMessage({ result: await prepareAndKeep(workerData as PrepareAndKeepJob) });
} catch (error) {
  parentPort?.postMessage({ failure: String((error as Error)?.message ?? error) });
}
