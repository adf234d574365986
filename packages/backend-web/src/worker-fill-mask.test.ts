import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, DisposedError, InputTooLongError, InvalidArgumentError, MissingMaskError, type FillMask, type FillMaskWarning } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createWorkerFillMask, type WorkerLike } from './create-worker-fill-mask.js';
import { serveFillMask, type MessageSource } from './serve-fill-mask.js';

/**
 * The worker protocol in Node: a MessageChannel stands for the Worker (a real one needs a browser),
 * and the served fill-mask runs on onnxruntime-node. The browser tests run the same code in a real
 * Web Worker on onnxruntime-web.
 */
function startFakeWorker(): { worker: WorkerLike; stop(): void } {
  const channel = new MessageChannel();
  const scope = channel.port2 as unknown as MessageSource;
  const stopServing = serveFillMask({ scope, createBackend: () => createOnnxBackend() });
  channel.port2.start();
  const worker: WorkerLike = {
    postMessage: (message, transfer) => channel.port1.postMessage(message, transfer),
    addEventListener: () => undefined,
    removeEventListener: () => undefined,
  };
  return {
    worker,
    stop() {
      stopServing();
      channel.port1.close();
      channel.port2.close();
    },
  };
}

const model = fixtureModelPath('tiny-roberta');
let direct: FillMask;
let fake: ReturnType<typeof startFakeWorker>;

beforeAll(async () => {
  direct = await createFillMask({ model, backend: createOnnxBackend(), onWarning: () => undefined });
});

afterAll(() => direct?.dispose());

afterEach(() => fake?.stop());

describe('createWorkerFillMask and serveFillMask', () => {
  it("answer every call as the fill-mask object in the worker does, with the worker's mask token and limits", async () => {
    fake = startFakeWorker();
    const fillMask = await createWorkerFillMask({ worker: fake.worker, model });
    expect({ maskToken: fillMask.maskToken, maxLength: fillMask.maxLength, model: fillMask.model, backend: fillMask.backend }).toEqual({
      maskToken: '<mask>',
      maxLength: 512,
      model: direct.model,
      backend: 'onnx',
    });
    const inputs = ['Paris is the <mask> of France.', 'A <mask> and a <mask>.'];
    expect(await fillMask.fill(inputs[0], { topK: 3 })).toEqual(await direct.fill(inputs[0], { topK: 3 }));
    expect(await fillMask.fill(inputs)).toEqual(await direct.fill(inputs));
    const targets = [' cat', ' dog'];
    expect(await fillMask.fill(inputs[0], { targets })).toEqual(await direct.fill(inputs[0], { targets }));
    await fillMask.dispose();
  });

  it('rebuild typed errors, and fillSettled keeps each in its slot', async () => {
    fake = startFakeWorker();
    const fillMask = await createWorkerFillMask({ worker: fake.worker, model });
    await expect(fillMask.fill('no mask')).rejects.toSatisfy(MissingMaskError.isInstance);
    await expect(fillMask.fill('<mask> '.repeat(600))).rejects.toSatisfy(InputTooLongError.isInstance);
    const settled = await fillMask.fillSettled(['A <mask>.', 'no mask']);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: await direct.fill('A <mask>.') });
    expect(settled[1].status).toBe('rejected');
    expect(MissingMaskError.isInstance((settled[1] as { reason: unknown }).reason)).toBe(true);
    expect(((settled[1] as { reason: unknown }).reason as MissingMaskError).inputIndex).toBe(1);
    await fillMask.dispose();
  });

  it('report progress per batch, and warnings, on this side', async () => {
    fake = startFakeWorker();
    const warnings: FillMaskWarning[] = [];
    const fillMask = await createWorkerFillMask({ worker: fake.worker, model, batchSize: 1, onWarning: (warning) => warnings.push(warning) });
    const progress: number[] = [];
    await fillMask.fill(['A <mask>.', 'B <mask>.', 'C <mask>.'], { onProgress: ({ completed }) => progress.push(completed) });
    expect(progress).toEqual([1, 2, 3]);
    await fillMask.fill('A <mask>.', { targets: ['Supercalifragilistic'] });
    expect(warnings.map((warning) => warning.code)).toEqual(['target-replaced']);
    await fillMask.dispose();
  });

  it("abort with the signal's reason, already aborted or midway, and stay usable", async () => {
    fake = startFakeWorker();
    const fillMask = await createWorkerFillMask({ worker: fake.worker, model, batchSize: 1 });
    const early = new AbortController();
    early.abort(new Error('before'));
    await expect(fillMask.fill('A <mask>.', { signal: early.signal })).rejects.toThrow('before');

    const midway = new AbortController();
    const reason = new Error('midway');
    let progressAfterAbort = 0;
    const call = fillMask.fill(
      Array.from({ length: 30 }, (_, index) => `Input ${index} <mask>.`),
      {
        signal: midway.signal,
        onProgress: ({ completed }) => {
          if (midway.signal.aborted) progressAfterAbort += 1;
          if (completed === 2) midway.abort(reason);
        },
      },
    );
    await expect(call).rejects.toBe(reason);
    expect(progressAfterAbort).toBe(0);
    expect(await fillMask.fill('A <mask>.')).toEqual(await direct.fill('A <mask>.'));
    await fillMask.dispose();
  });

  it('refuse what cannot be sent to a worker with InvalidArgumentError', async () => {
    fake = startFakeWorker();
    const fillMask = await createWorkerFillMask({ worker: fake.worker, model });
    const notCloneable = [' cat', (() => ' dog') as unknown as string];
    await expect(fillMask.fill('A <mask>.', { targets: notCloneable })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    expect(await fillMask.fill('A <mask>.')).toHaveLength(1);
    await fillMask.dispose();
  });

  it('serve several fill-mask objects from one worker; dispose frees one, later calls get DisposedError', async () => {
    fake = startFakeWorker();
    const first = await createWorkerFillMask({ worker: fake.worker, model });
    const second = await createWorkerFillMask({ worker: fake.worker, model: fixtureModelPath('tiny-bert-uncased'), dtype: 'q8' });
    expect([first.maskToken, second.maskToken]).toEqual(['<mask>', '[MASK]']);
    const disposing = first.dispose();
    expect(first.dispose()).toBe(disposing);
    await disposing;
    await expect(first.fill('A <mask>.')).rejects.toSatisfy(DisposedError.isInstance);
    expect(await second.fill('A [MASK].')).toHaveLength(1);
    await second.dispose();
  });

  it('reject creation with the typed error the worker met', async () => {
    fake = startFakeWorker();
    await expect(createWorkerFillMask({ worker: fake.worker, model: '/no/such/model/folder' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    await expect(createWorkerFillMask({ worker: fake.worker, model: model, dtype: 'fp16' as 'fp32' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
  });

  it('check their arguments before any message is sent', async () => {
    await expect(createWorkerFillMask({ worker: undefined as unknown as WorkerLike, model })).rejects.toSatisfy(InvalidArgumentError.isInstance);
    fake = startFakeWorker();
    await expect(createWorkerFillMask({ worker: fake.worker, model: '' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
  });
});
