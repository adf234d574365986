import type { FillMask, FillSettledResult } from '@fillmask/core';
import { HttpError } from './http-error.js';

/** One request's share of a batch. */
export interface BatchJob {
  readonly inputs: readonly string[];
  readonly topK: number;
  readonly targets: readonly string[] | undefined;
  readonly truncation: boolean;
}

export interface DynamicBatcherOptions {
  /** Inputs per batch (one `fillSettled` call): requests are added while they fit (a larger request runs alone). */
  readonly maxBatchSize: number;
  /** How long the first request of a batch waits for others, when the model is idle. */
  readonly batchWindowMs: number;
  /** Inputs allowed to wait; a request that would exceed it is refused with 503. */
  readonly maxQueuedInputs: number;
}

/** Counters of the batches run, for `/metrics` and the tests. */
export interface BatchCounters {
  /** Calls to the model, each for one or more requests. */
  batches: number;
  /** Requests served by those batches. */
  batchedRequests: number;
  /** Inputs in those batches. */
  batchedInputs: number;
  /** The most requests one batch served. */
  largestBatchRequests: number;
}

interface QueuedJob {
  readonly job: BatchJob;
  /** Requests of one key can share a model call: same targets and truncation (topK is cut per request). */
  readonly key: string;
  resolve(results: FillSettledResult[]): void;
  reject(error: unknown): void;
}

/**
 * Dynamic batching. A FillMask whose concurrent calls share forward passes (`FillMask.passes`: a
 * model in this process) gets each request as its own call at once: it batches them by the pass, each
 * pass choosing among all the inputs waiting, and answers each request when its own inputs are done.
 * Any other FillMask (a remote service): requests that arrive while it is busy, or within
 * `batchWindowMs` of each other, share one `fillSettled` call, up to `maxBatchSize` inputs, one call
 * at a time; each request gets the results of its own inputs, in order, each ranked list cut to its
 * own topK (the top k of a longer ranking are the top k).
 */
export class DynamicBatcher {
  readonly counters: BatchCounters = { batches: 0, batchedRequests: 0, batchedInputs: 0, largestBatchRequests: 0 };
  private readonly queue: QueuedJob[] = [];
  private queuedInputCount = 0;
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly idleWaiters: Array<() => void> = [];
  /** Calls handed to a pass-sharing FillMask and not settled yet. */
  private callsInFlight = 0;

  constructor(
    private readonly fillMask: FillMask,
    private readonly options: DynamicBatcherOptions,
  ) {}

  /** Inputs waiting for a batch. */
  get queuedInputs(): number {
    return this.queuedInputCount;
  }

  /**
   * Queues a job and settles with one result per input. Rejects at once with a 503 HttpError when the
   * queue is full, and with 413 when the job alone is larger than the queue.
   */
  submit(job: BatchJob): { readonly results: Promise<FillSettledResult[]>; cancel(): void } {
    const { maxQueuedInputs } = this.options;
    if (job.inputs.length > maxQueuedInputs) {
      const error = new HttpError(413, `A request may hold at most ${maxQueuedInputs} inputs; split it into several.`, 'too-many-inputs');
      return { results: Promise.reject(error), cancel: () => undefined };
    }
    if (this.queuedInputCount + job.inputs.length > maxQueuedInputs) {
      const error = new HttpError(
        503,
        `The server is busy: ${this.queuedInputCount} inputs are waiting. Retry in a moment.`,
        'queue-full',
        {
          'Retry-After': '1',
        },
      );
      return { results: Promise.reject(error), cancel: () => undefined };
    }
    if (this.fillMask.passes !== undefined) return this.submitToSharedPasses(job);
    let queued!: QueuedJob;
    const results = new Promise<FillSettledResult[]>((resolve, reject) => {
      queued = { job, key: JSON.stringify([job.targets ?? null, job.truncation]), resolve, reject };
    });
    this.queue.push(queued);
    this.queuedInputCount += job.inputs.length;
    this.schedule();
    // A job cancelled while it waits leaves the queue; once in a running batch, it runs to the end.
    const cancel = () => {
      const index = this.queue.indexOf(queued);
      if (index < 0) return;
      this.queue.splice(index, 1);
      this.queuedInputCount -= job.inputs.length;
      this.notifyIfIdle();
    };
    return { results, cancel };
  }

  /** The request as a call of its own; the FillMask shares its passes with the other calls waiting. */
  private submitToSharedPasses(job: BatchJob): { readonly results: Promise<FillSettledResult[]>; cancel(): void } {
    const { inputs, topK, targets, truncation } = job;
    // Cancelled, its inputs not yet in a pass leave the pool; those in the running pass run to its end.
    const cancellation = new AbortController();
    this.queuedInputCount += inputs.length;
    this.callsInFlight++;
    this.counters.batches++;
    this.counters.batchedRequests++;
    this.counters.batchedInputs += inputs.length;
    this.counters.largestBatchRequests = Math.max(this.counters.largestBatchRequests, 1);
    const results = this.fillMask.fillSettled(inputs, { topK, targets, truncation, signal: cancellation.signal }).finally(() => {
      this.queuedInputCount -= inputs.length;
      this.callsInFlight--;
      this.notifyIfIdle();
    });
    return { results, cancel: () => cancellation.abort() };
  }

  /** Resolves when nothing waits and nothing runs. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === undefined && this.callsInFlight === 0;
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private schedule(): void {
    if (this.running !== undefined || this.timer !== undefined || this.queue.length === 0) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.startBatch();
    }, this.options.batchWindowMs);
  }

  private startBatch(): void {
    this.running = this.runBatch().finally(() => {
      this.running = undefined;
      // The next batch waits the window too, even with requests queued: the clients just answered
      // send their next requests within it, and they join that batch instead of forming a small one
      // of their own after it (under steady load, batches would otherwise split into ever smaller
      // groups, each sorted and padded on its own).
      if (this.queue.length > 0) this.schedule();
      else this.notifyIfIdle();
    });
  }

  private takeBatch(): QueuedJob[] {
    const { key } = this.queue[0];
    const batch: QueuedJob[] = [];
    let inputs = 0;
    for (let index = 0; index < this.queue.length; ) {
      const queued = this.queue[index];
      const fits = batch.length === 0 || inputs + queued.job.inputs.length <= this.options.maxBatchSize;
      if (queued.key !== key || !fits) {
        index++;
        continue;
      }
      batch.push(queued);
      inputs += queued.job.inputs.length;
      this.queue.splice(index, 1);
      if (inputs >= this.options.maxBatchSize) break;
    }
    this.queuedInputCount -= inputs;
    return batch;
  }

  private async runBatch(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.takeBatch();
    const inputs = batch.flatMap((queued) => queued.job.inputs);
    const { targets, truncation } = batch[0].job;
    const topK = Math.max(...batch.map((queued) => queued.job.topK));
    this.counters.batches++;
    this.counters.batchedRequests += batch.length;
    this.counters.batchedInputs += inputs.length;
    this.counters.largestBatchRequests = Math.max(this.counters.largestBatchRequests, batch.length);
    let settled: FillSettledResult[];
    try {
      settled = await this.fillMask.fillSettled(inputs, { topK, targets, truncation });
    } catch (error) {
      for (const queued of batch) queued.reject(error);
      return;
    }
    let offset = 0;
    for (const queued of batch) {
      const own = settled.slice(offset, offset + queued.job.inputs.length);
      offset += queued.job.inputs.length;
      queued.resolve(own.map((result) => cutToTopK(result, queued.job.topK)));
    }
  }
}

function cutToTopK(result: FillSettledResult, topK: number): FillSettledResult {
  if (result.status === 'rejected') return result;
  return { status: 'fulfilled', value: result.value.map((predictions) => predictions.slice(0, topK)) };
}
