import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { prepareAndKeep, type PrepareAndKeepJob, type PrepareAndKeepOutcome } from './prepare-and-keep.js';

const workerFile = new URL('./prepare-and-keep-worker.js', import.meta.url);

/**
 * `prepareAndKeep` in a worker thread. The int8 weights read to be stored as uint8 and the graph
 * written are garbage once kept, but V8 frees such buffers only at a full collection, which nothing
 * in the load would trigger before onnxruntime opens the graph: in a worker they go with its heap
 * when it exits. Where there is no compiled worker (the TypeScript sources, as the tests run them),
 * it prepares in this thread.
 */
export async function prepareAndKeepInWorker(job: PrepareAndKeepJob): Promise<PrepareAndKeepOutcome> {
  if (!existsSync(fileURLToPath(workerFile))) return prepareAndKeep(job);
  const worker = new Worker(workerFile, { workerData: job });
  const reply = await new Promise<{ outcome: PrepareAndKeepOutcome } | { failure: string }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the graph preparation's worker stopped (exit code ${code}) before it finished`)));
  }).finally(() => worker.terminate());
  if ('failure' in reply) throw new Error(reply.failure);
  return reply.outcome;
}
