/**
 * Runs tasks one at a time in call order. onnxruntime-web rejects overlapping runs on one session,
 * and in Node one run already uses every core through its intra-op threads, so overlapping runs
 * would only compete for them and for memory.
 */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }

  /** Resolves once every task queued so far has settled. */
  idle(): Promise<void> {
    return this.tail.then(() => undefined);
  }
}
