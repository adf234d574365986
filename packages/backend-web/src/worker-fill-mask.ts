import { DisposedError, InferenceError, InvalidArgumentError } from '@fillmask/core';
import type { FillMask, FillMaskWarningHandler, FillOptions, FillProgress, FillSettledResult, MaskPredictions } from '@fillmask/core';
import type { WebModelInfo } from './web-backend-options.js';
import { reviveError } from './revive-error.js';
import type { PageToWorkerMessage, SettledMessage, WorkerFillMaskInfo, WorkerToPageMessage } from './worker-protocol.js';

/** A FillMask whose model runs in a Web Worker: the same calls, results and typed errors, off the main thread. */
export interface WorkerFillMask extends FillMask {
  /** What the model runs on in the worker (undefined with a custom backend that does not report it). */
  readonly runtime: WebModelInfo | undefined;
}

interface PendingCall {
  resolve(value: unknown): void;
  reject(reason: unknown): void;
  readonly onProgress: ((progress: FillProgress) => void) | undefined;
  readonly settled: boolean;
}

/** The page's side of one fill-mask object served by `serveFillMask` in a worker. */
export class PortFillMask implements WorkerFillMask {
  readonly maskToken: string;
  readonly maxLength: number;
  readonly model: string;
  readonly backend: string;
  readonly runtime: WebModelInfo | undefined;
  private readonly pending = new Map<number, PendingCall>();
  private nextCallId = 1;
  private disposing: Promise<void> | undefined;
  private finishDispose: (() => void) | undefined;

  constructor(
    private readonly port: MessagePort,
    info: WorkerFillMaskInfo,
    private readonly warn: FillMaskWarningHandler,
    /** The page's `onDebug`; without one the worker sends no debug lines. */
    private readonly debug: ((message: string) => void) | undefined,
    /** Called once the worker has freed the model. */
    private readonly onClosed: () => void = () => undefined,
  ) {
    this.maskToken = info.maskToken;
    this.maxLength = info.maxLength;
    this.model = info.model;
    this.backend = info.backend;
    this.runtime = info.runtime;
    port.onmessage = (event: MessageEvent<WorkerToPageMessage>) => this.receive(event.data);
  }

  fill(input: string, options?: FillOptions): Promise<MaskPredictions[]>;
  fill(inputs: readonly string[], options?: FillOptions): Promise<MaskPredictions[][]>;
  fill(input: string | readonly string[], options?: FillOptions): Promise<MaskPredictions[] | MaskPredictions[][]> {
    return this.call(input, options, false) as Promise<MaskPredictions[] | MaskPredictions[][]>;
  }

  fillSettled(inputs: readonly string[], options?: FillOptions): Promise<FillSettledResult[]> {
    return this.call(inputs, options, true) as Promise<FillSettledResult[]>;
  }

  dispose(): Promise<void> {
    this.disposing ??= new Promise<void>((resolve) => {
      this.finishDispose = resolve;
      this.port.postMessage({ type: 'dispose' } satisfies PageToWorkerMessage);
    });
    return this.disposing;
  }

  /** The worker died (an uncaught error): every call in flight fails. */
  fail(reason: string): void {
    this.rejectPending(() => new InferenceError({ backend: this.backend, message: `the fill-mask worker failed: ${reason}` }));
  }

  private rejectPending(error: () => Error): void {
    for (const [callId, call] of this.pending) {
      this.pending.delete(callId);
      call.reject(error());
    }
  }

  private call(input: string | readonly string[], options: FillOptions = {}, settled: boolean): Promise<unknown> {
    if (this.disposing !== undefined) return Promise.reject(new DisposedError('This fill-mask object'));
    const { signal, onProgress, ...workerOptions } = options ?? {};
    if (signal?.aborted) return Promise.reject(signal.reason);
    const callId = this.nextCallId++;
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.pending.delete(callId);
        this.port.postMessage({ type: 'abort', callId } satisfies PageToWorkerMessage);
        reject(signal?.reason);
      };
      const settle =
        <T>(finish: (value: T) => void) =>
        (value: T) => {
          signal?.removeEventListener('abort', onAbort);
          finish(value);
        };
      this.pending.set(callId, { resolve: settle(resolve), reject: settle(reject), onProgress, settled });
      signal?.addEventListener('abort', onAbort, { once: true });
      const message: PageToWorkerMessage = {
        type: 'fill',
        callId,
        settled,
        input,
        options: workerOptions,
        reportProgress: onProgress !== undefined,
      };
      try {
        this.port.postMessage(message);
      } catch (cause) {
        // Only plain data crosses to a worker: a function or class instance among the inputs or options cannot.
        this.pending.delete(callId);
        signal?.removeEventListener('abort', onAbort);
        reject(
          Object.assign(
            new InvalidArgumentError({
              argument: 'input or options',
              value: input,
              expected: 'strings and plain option values that can be sent to a worker',
            }),
            {
              cause,
            },
          ),
        );
      }
    });
  }

  private receive(message: WorkerToPageMessage): void {
    if (message.type === 'warning') {
      this.warn(message.warning);
    } else if (message.type === 'debug') {
      this.debug?.(message.message);
    } else if (message.type === 'disposed') {
      // Calls the worker had not answered when the model was freed.
      this.rejectPending(() => new DisposedError('This fill-mask object'));
      this.port.close();
      this.onClosed();
      this.finishDispose?.();
    } else if (message.type === 'fill-progress') {
      this.pending.get(message.callId)?.onProgress?.(message.progress);
    } else if (message.type === 'fill-result' || message.type === 'fill-failed') {
      const call = this.pending.get(message.callId);
      if (call === undefined) return;
      this.pending.delete(message.callId);
      if (message.type === 'fill-failed') call.reject(reviveError(message.error));
      else call.resolve(call.settled ? (message.value as SettledMessage[]).map(reviveSlot) : message.value);
    }
  }
}

function reviveSlot(slot: SettledMessage): FillSettledResult {
  return slot.status === 'fulfilled' ? slot : { status: 'rejected', reason: reviveError(slot.reason) };
}
