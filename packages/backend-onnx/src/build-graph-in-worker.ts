import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { InvalidModelFileError, UnsupportedModelError } from '@fillmask/core';
import { buildGraphFile } from './build-graph-file.js';
import type { BuildGraphFailure, BuildGraphJob } from './build-graph-job.js';

const workerFile = new URL('./build-graph-worker.js', import.meta.url);

/**
 * Builds a graph from weights in a worker thread and writes it to `job.output`. The weights read
 * whole and the graph encoded are garbage once written, but V8 frees such buffers only at a full
 * collection, which nothing in the load would trigger before onnxruntime opens the graph: in a
 * worker they go with its heap when it exits, so they never sit under the session. Where there is no
 * compiled worker (the TypeScript sources, as the tests run them), it builds in this thread.
 */
export async function buildGraphInWorker(job: BuildGraphJob): Promise<void> {
  if (!existsSync(fileURLToPath(workerFile))) return buildGraphFile(job);
  const worker = new Worker(workerFile, { workerData: job });
  const outcome = await new Promise<{ done: true } | { failure: BuildGraphFailure }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the graph builder's worker stopped (exit code ${code}) before it finished`)));
  }).finally(() => worker.terminate());
  if ('failure' in outcome) throw revive(outcome.failure);
}

/** The typed error the worker threw, rebuilt from its fields. */
function revive({ name, message, model, file, reason }: BuildGraphFailure): Error {
  const unsupported = `Model ${model} cannot be used for fill-mask: `;
  if (name === 'FillMask_UnsupportedModelError' && model !== undefined && message.startsWith(unsupported)) {
    return new UnsupportedModelError({ model, reason: message.slice(unsupported.length) });
  }
  if (name === 'FillMask_InvalidModelFileError' && model !== undefined && file !== undefined && reason !== undefined) {
    return new InvalidModelFileError({ model, file, reason });
  }
  return new Error(message);
}
