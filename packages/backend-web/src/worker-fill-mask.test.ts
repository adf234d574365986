import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createFillMask,
  DisposedError,
  InputTooLongError,
  InvalidArgumentError,
  MissingMaskError,
  type FillMask,
  type FillMaskWarning,
} from '@fillmask/core';
import { asksExactInt8Kernel, createOnnxBackend, defaultSessionOptions } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createWorkerFillMask, type WorkerLike } from './create-worker-fill-mask.js';
import { serveFillMask, type MessageSource, type ServeFillMaskOptions } from './serve-fill-mask.js';
import type { WebBackendOptions } from './web-backend-options.js';

/**
 * The worker protocol in Node: a MessageChannel stands for the Worker (a real one needs a browser),
 * and the served fill-mask runs on onnxruntime-node. The browser tests run the same code in a real
 * Web Worker on onnxruntime-web.
 */
function startFakeWorker(createBackend: ServeFillMaskOptions['createBackend'] = () => createOnnxBackend()): {
  worker: WorkerLike;
  stop(): void;
} {
  const channel = new MessageChannel();
  const scope = channel.port2 as unknown as MessageSource;
  const stopServing = serveFillMask({ scope, createBackend });
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

afterEach(() => {
  fake?.stop();
  vi.restoreAllMocks();
});

/** The rewrite note of a graph at load, as the onnx backend words it. */
const rewriteNote = (modelFile: string) =>
  new RegExp(
    `^fillmask: ${modelFile.replace('.', '\\.')} rewritten: \\d+ ops, the vocabulary projection among them, run on the mask rows only$`,
  );
/** A q8 batch of several inputs of different lengths: the batch variant is built for it. */
const q8Batch = ['Paris is the <mask> of France.', 'A <mask>.', 'The <mask> sat on the mat near the door of the old house.'];

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
    const fillMask = await createWorkerFillMask({
      worker: fake.worker,
      model,
      batchSize: 1,
      onWarning: (warning) => warnings.push(warning),
    });
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
    await expect(createWorkerFillMask({ worker: fake.worker, model: '/no/such/model/folder' })).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
    await expect(createWorkerFillMask({ worker: fake.worker, model: model, dtype: 'fp16' as 'fp32' })).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
  });

  it("send the served backend's debug lines to the page's onDebug: the notes at load, the q8 batch variant at the first batch of several inputs", async () => {
    // Prepared at every load, as a first load prepares them, rather than opened from kept graphs.
    fake = startFakeWorker((options) => createOnnxBackend({ preparedGraphCache: false, onDebug: options.onDebug }));
    const fp32Lines: string[] = [];
    const fp32 = await createWorkerFillMask({ worker: fake.worker, model, onDebug: (line) => fp32Lines.push(line) });
    // The model is on disk, so onnxruntime reads its weights from the file: a line says so after each graph's notes.
    const byReference = (file: string) =>
      new RegExp(
        `^fillmask: ${file.replace(/[/.]/g, '\\$&')}: onnxruntime reads \\d+ weight tensors from the file itself; \\d+ bytes of it were read here$`,
      );
    expect(fp32Lines).toHaveLength(3);
    expect(fp32Lines[0]).toMatch(rewriteNote('onnx/model.onnx'));
    expect(fp32Lines[1]).toMatch(/^fillmask: onnx\/model\.onnx \d+ weight products run as 1×1 convolutions \(\d+ with their bias\)$/);
    expect(fp32Lines[2]).toMatch(byReference('onnx/model.onnx'));
    await fp32.dispose();

    const lines: string[] = [];
    const q8 = await createWorkerFillMask({ worker: fake.worker, model, dtype: 'q8', onDebug: (line) => lines.push(line) });
    // Where onnxruntime's exact int8 kernel is asked for, each graph's int8 weights are stored as uint8: a note of its own.
    const unsignedNote = 'int8 weight matrices are stored as uint8 (values and zero points plus 128)';
    const unsigned = asksExactInt8Kernel(defaultSessionOptions());
    if (unsigned) {
      expect(lines.splice(1, 1)).toEqual([
        expect.stringMatching(new RegExp(`^fillmask: onnx/model_quantized\\.onnx \\d+ ${escapeRegExp(unsignedNote)}$`)),
      ]);
    }
    // The load-time lines came before ready.
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(rewriteNote('onnx/model_quantized.onnx'));
    expect(lines[1]).toMatch(
      /^fillmask: onnx\/model_quantized\.onnx batches of several inputs will run a variant that quantizes each input on its own \(\d+ quantizers\)$/,
    );
    expect(lines[2]).toMatch(byReference('onnx/model_quantized.onnx'));
    const directQ8 = await createFillMask({ model, dtype: 'q8', backend: createOnnxBackend(), onWarning: () => undefined });
    try {
      // One input runs the graph as exported: no variant yet.
      expect(await q8.fill(q8Batch[0])).toEqual(await directQ8.fill(q8Batch[0]));
      expect(lines).toHaveLength(3);
      // After ready, through the PortFillMask: the variant is built at the first batch of several inputs.
      expect(await q8.fill(q8Batch)).toEqual(await directQ8.fill(q8Batch));
      expect(lines).toHaveLength(5);
      expect(lines[3]).toMatch(
        new RegExp(
          `^fillmask: onnx/model_quantized\\.onnx the variant quantizing each input on its own rewritten: \\d+ ops, the vocabulary projection among them, run on the mask rows only${unsigned ? `; \\d+ ${escapeRegExp(unsignedNote)}` : ''}$`,
        ),
      );
      expect(lines[4]).toMatch(byReference('onnx/model_quantized.onnx'));
      // Built once: later batches add no line.
      await q8.fill(q8Batch.slice(1));
      expect(lines).toHaveLength(5);
    } finally {
      await directQ8.dispose();
      await q8.dispose();
    }
  });

  it('post no debug message, and give the backend no onDebug, when the page passes no onDebug', async () => {
    const posted = vi.spyOn(MessagePort.prototype, 'postMessage');
    const served: WebBackendOptions[] = [];
    fake = startFakeWorker((options) => {
      served.push(options);
      return createOnnxBackend({ onDebug: options.onDebug });
    });
    const fillMask = await createWorkerFillMask({ worker: fake.worker, model, dtype: 'q8' });
    expect((await fillMask.fill(q8Batch)).map((masks) => masks.length)).toEqual([1, 1, 1]);
    await fillMask.dispose();
    expect(served).toHaveLength(1);
    expect(served[0].onDebug).toBeUndefined();
    const types = posted.mock.calls.map(([message]) => (message as { type?: string } | undefined)?.type);
    // The spy sees the worker's messages (the control), and none of them is a debug line.
    expect(types).toEqual(expect.arrayContaining(['fillmask:connect', 'ready', 'fill-result', 'disposed']));
    expect(types.filter((type) => type === 'debug')).toEqual([]);
    const connect = posted.mock.calls.find(([message]) => (message as { type?: string }).type === 'fillmask:connect')?.[0];
    expect(connect).not.toHaveProperty('reportDebug');
  });

  it('check their arguments before any message is sent', async () => {
    await expect(createWorkerFillMask({ worker: undefined as unknown as WorkerLike, model })).rejects.toSatisfy(
      InvalidArgumentError.isInstance,
    );
    fake = startFakeWorker();
    await expect(createWorkerFillMask({ worker: fake.worker, model: '' })).rejects.toSatisfy(InvalidArgumentError.isInstance);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
