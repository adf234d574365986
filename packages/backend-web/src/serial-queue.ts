/**
 * Runs tasks one at a time in call order. onnxruntime-web does not support overlapping runs on one
 * session (a WebGPU run yields while the GPU works, and a second run would interleave with it), so
 * concurrent calls wait their turn.
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
