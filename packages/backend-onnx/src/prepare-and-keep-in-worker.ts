import { prepareAndKeep, type PrepareAndKeepJob, type PrepareAndKeepOutcome } from './prepare-and-keep.js';
import { runInWorker } from './run-in-worker.js';

const workerFile = new URL('./prepare-and-keep-worker.js', import.meta.url);

/**
 * `prepareAndKeep` in a worker thread (`runInWorker`): the int8 weights read to be stored as uint8
 * and the graph written are garbage once kept, and go with the worker, not under the session.
 */
export async function prepareAndKeepInWorker(job: PrepareAndKeepJob): Promise<PrepareAndKeepOutcome> {
  const reply = await runInWorker<PrepareAndKeepJob, PrepareAndKeepOutcome, string>(
    workerFile,
    job,
    prepareAndKeep,
    'the graph preparation',
  );
  if ('failure' in reply) throw new Error(reply.failure);
  return reply.result;
}
