import { InvalidModelFileError, UnsupportedModelError } from '@fillmask/core';
import { buildGraphFile } from './build-graph-file.js';
import type { BuildGraphFailure, BuildGraphJob } from './build-graph-job.js';
import { runInWorker } from './run-in-worker.js';

const workerFile = new URL('./build-graph-worker.js', import.meta.url);

/**
 * Builds a graph from weights in a worker thread (`runInWorker`) and writes it to `job.output`: the
 * weights read whole and the graph encoded are garbage once written, and go with the worker, so they
 * never sit under the session.
 */
export async function buildGraphInWorker(job: BuildGraphJob): Promise<void> {
  const reply = await runInWorker<BuildGraphJob, true, BuildGraphFailure>(
    workerFile,
    job,
    async (inThread) => {
      await buildGraphFile(inThread);
      return true;
    },
    'the graph builder',
  );
  if ('failure' in reply) throw revive(reply.failure);
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
