import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** What a worker thread posts back: its result, or the fields of the error it threw. */
export type WorkerReply<Result, Failure> = { readonly result: Result } | { readonly failure: Failure };

/**
 * Runs a job in a worker thread (`workerFile`, which posts one `WorkerReply` and exits), so that
 * what the job allocates goes with the worker's heap when it exits: V8 frees large buffers only at a
 * full collection, which nothing would trigger before onnxruntime opens the graph the job wrote. Where
 * there is no compiled worker (the TypeScript sources, as the tests run them), `inThread` runs it here.
 */
export async function runInWorker<Data, Result, Failure>(
  workerFile: URL,
  data: Data,
  inThread: (data: Data) => Promise<Result>,
  name: string,
): Promise<WorkerReply<Result, Failure>> {
  if (!existsSync(fileURLToPath(workerFile))) return { result: await inThread(data) };
  const worker = new Worker(workerFile, { workerData: data });
  return new Promise<WorkerReply<Result, Failure>>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`${name}'s worker stopped (exit code ${code}) before it finished`)));
  }).finally(() => worker.terminate());
}
