import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MaskPredictions } from '@fillmask/core';
import { isReplayable, loadReference } from '@fillmask/fixtures';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { debugLine } from './debug-lines.test-helper.js';
import { harnessError, harnessValue, openHarness } from './harness-page.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

let server: TestServer;
let chromium: ChromiumSession;
let page: Page;

beforeAll(async () => {
  server = await startTestServer({ app: inject('harnessDist') });
  chromium = await launchChromium();
  page = await chromium.newPage();
  await openHarness(page, server.url);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

describe('createWorkerFillMask: the model in a Web Worker', () => {
  for (const [model, dtype] of [
    ['tiny-roberta', 'fp32'],
    ['tiny-bert-cased-pt', 'q8'],
  ] as const) {
    it(`gives exactly the main thread's results: ${model} ${dtype}`, async () => {
      const reference = loadReference(model, dtype);
      const inputs = [
        ...reference.cases
          .filter(isReplayable)
          .filter((entry) => entry.result)
          .map((entry) => entry.input),
        `${reference.mask_token} then ${reference.mask_token}.`,
      ];
      const opened = await harnessValue(page, 'open', `${model}-worker`, { model: `/models/${model}/`, dtype, worker: true });
      await harnessValue(page, 'open', `${model}-main`, { model: `/models/${model}/`, dtype });
      expect(opened.maskToken).toBe(reference.mask_token);
      expect(opened.maxLength).toBe(reference.model_max_length);
      expect(opened.backend).toBe('web');
      expect(opened.model).toBe(`${server.url}/models/${model}/`);
      expect(opened.runtime).toEqual({ executionProvider: 'wasm', requestedExecutionProvider: 'wasm', numThreads: 1, maskRowsOnly: true });

      const inWorker = (await harnessValue(page, 'fill', `${model}-worker`, inputs, { topK: 6 })) as MaskPredictions[][];
      const onMainThread = (await harnessValue(page, 'fill', `${model}-main`, inputs, { topK: 6 })) as MaskPredictions[][];
      expect(inWorker).toEqual(onMainThread);
      const singleInWorker = await harnessValue(page, 'fill', `${model}-worker`, inputs.at(-1)!);
      expect(singleInWorker).toEqual(await harnessValue(page, 'fill', `${model}-main`, inputs.at(-1)!));
    });
  }

  it("calls createWorkerFillMask's onDebug on the page: the worker's notes before ready, the batch variant note long after", async () => {
    const modelFile = 'onnx/model_quantized.onnx';
    await harnessValue(page, 'open', 'debug', { model: '/models/tiny-bert-cased-pt/', dtype: 'q8', worker: true, debug: true });
    const atLoad = await harnessValue(page, 'takeDebugLines', 'debug');
    expect(atLoad).toHaveLength(2);
    expect(atLoad[0]).toMatch(debugLine.rewritten(modelFile));
    expect(atLoad[1]).toMatch(debugLine.batchesWillUseVariant(modelFile));

    await harnessValue(page, 'open', 'debug-main', { model: '/models/tiny-bert-cased-pt/', dtype: 'q8' });
    const inputs = [
      'Paris is the [MASK] of France.',
      'A [MASK].',
      'The [MASK] sat on the mat near the door of the old house, and then [MASK].',
    ];
    const inWorker = (await harnessValue(page, 'fill', 'debug', inputs)) as MaskPredictions[][];
    const atBatch = await harnessValue(page, 'takeDebugLines', 'debug');
    expect(atBatch).toHaveLength(1);
    expect(atBatch[0]).toMatch(debugLine.variantBuilt(modelFile));
    expect(inWorker).toEqual(await harnessValue(page, 'fill', 'debug-main', inputs));
    await harnessValue(page, 'dispose', 'debug');
    await harnessValue(page, 'dispose', 'debug-main');
  });

  it('reports the model download from the worker: loaded and total bytes, then done', async () => {
    const opened = await harnessValue(page, 'open', 'progress', { model: '/models/tiny-albert/', worker: true });
    const modelEvents = opened.progress.filter((event) => event.file === 'onnx/model.onnx');
    expect(modelEvents.at(-1)).toMatchObject({ status: expect.stringMatching(/^(done|cached)$/) });
    const done = modelEvents.at(-1)!;
    expect(done.loadedBytes).toBe(done.totalBytes);
    expect(done.loadedBytes).toBeGreaterThan(1_000_000);
    for (const file of ['config.json', 'tokenizer.json', 'tokenizer_config.json'])
      expect(
        opened.progress.some((event) => event.file === file),
        file,
      ).toBe(true);
    await harnessValue(page, 'dispose', 'progress');
  });

  it('rebuilds the typed errors on the main thread, with their class and fields', async () => {
    const id = 'tiny-roberta-worker';
    const missingMask = await harnessError(page, 'fill', id, 'There is no mask here.');
    expect(missingMask).toMatchObject({
      name: 'FillMask_MissingMaskError',
      isFillMaskError: true,
      isInstanceOfItsClass: true,
      fields: { maskToken: '<mask>' },
    });
    expect(missingMask.message).toContain('No mask token found in the input');

    const tooLong = await harnessError(page, 'fill', id, `<mask> ${'word '.repeat(700)}`);
    expect(tooLong).toMatchObject({ name: 'FillMask_InputTooLongError', isInstanceOfItsClass: true, fields: { limit: 512 } });
    expect(tooLong.fields.length).toBeGreaterThan(512);
    expect(tooLong.message).toContain('at most 512');

    const badTopK = await harnessError(page, 'fill', id, 'A <mask>.', { topK: 0 });
    expect(badTopK).toMatchObject({
      name: 'FillMask_InvalidArgumentError',
      isInstanceOfItsClass: true,
      fields: { argument: 'topK', value: 0 },
    });
  });

  it("fillSettled puts each bad input's typed error in its own slot", async () => {
    const slots = await harnessValue(page, 'fillSettled', 'tiny-roberta-worker', [
      'A <mask>.',
      'no mask',
      42,
      `<mask> ${'word '.repeat(700)}`,
    ]);
    expect(slots.map((slot) => slot.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected']);
    expect(slots.map((slot) => (slot.status === 'rejected' ? [slot.reason.name, slot.reason.isInstanceOfItsClass] : 'ok'))).toEqual([
      'ok',
      ['FillMask_MissingMaskError', true],
      ['FillMask_InvalidArgumentError', true],
      ['FillMask_InputTooLongError', true],
    ]);
    const reasons = slots.map((slot) => (slot.status === 'rejected' ? slot.reason : undefined));
    expect([reasons[1]?.fields.inputIndex, reasons[3]?.fields.inputIndex]).toEqual([1, 3]);
    expect(reasons[2]?.message).toContain('received number 42');
  });

  it('forwards warnings to the page', async () => {
    await harnessValue(page, 'takeWarnings', 'tiny-roberta-worker');
    await harnessValue(page, 'fill', 'tiny-roberta-worker', 'A <mask>.', { targets: ['Supercalifragilistic'] });
    const warnings = await harnessValue(page, 'takeWarnings', 'tiny-roberta-worker');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('Supercalifragilistic');
  });

  it("aborts a call with the signal's own reason, and stays usable", async () => {
    await harnessValue(page, 'open', 'abort', { model: '/models/tiny-bert-uncased/', batchSize: 1, worker: true });
    const inputs = Array.from({ length: 40 }, (_, index) => `Input ${index} has a [MASK] here.`);
    const aborted = await harnessValue(page, 'fillAndAbort', 'abort', inputs, 3);
    // No progress of the aborted call reaches the page after the abort.
    expect(aborted).toEqual({ progressEvents: 3, abortReasonKept: true });
    const after = (await harnessValue(page, 'fill', 'abort', ['One [MASK].'])) as MaskPredictions[][];
    expect(after[0][0]).toHaveLength(5);
  });

  it('rejects calls after dispose with DisposedError', async () => {
    await harnessValue(page, 'dispose', 'abort');
    const error = await harnessError(page, 'fill', 'abort', 'One [MASK].');
    expect(error).toMatchObject({ name: 'FillMask_DisposedError', isInstanceOfItsClass: true });
  });

  it('rejects creation with the typed error the worker met: a missing model file', async () => {
    const error = await harnessError(page, 'open', 'missing', { model: '/models/no-such-model/', worker: true });
    expect(error).toMatchObject({ name: 'FillMask_ModelFileNotFoundError', isInstanceOfItsClass: true, fields: { file: 'config.json' } });
  });

  it('rejects creation with BackendUnavailableError when the worker module does not serve', async () => {
    const error = await harnessError(page, 'open', 'broken', { model: '/models/tiny-albert/', worker: true, workerModule: 'broken' });
    expect(error).toMatchObject({ name: 'FillMask_BackendUnavailableError', isInstanceOfItsClass: true, fields: { backend: 'web' } });
    expect(error.message).toContain('the fill-mask worker failed to start');
  });

  it('keeps the main thread responsive through a long batch; on the main thread the same batch blocks it', async () => {
    // About a second of inference: 48 inputs of ~400 tokens, in one forward pass (core yields to the
    // event loop between passes, so on the main thread only a pass blocks the page).
    const inputs = Array.from({ length: 48 }, (_, index) => `[MASK] ${'alpha beta gamma delta epsilon '.repeat(80)} ${index}`);
    const intervalMs = 16;
    const onePass = { batchSize: 48, maxBatchTokens: 48 * 512 };
    await harnessValue(page, 'open', 'busy-worker', { model: '/models/tiny-bert-uncased/', worker: true, ...onePass });
    await harnessValue(page, 'open', 'busy-main', { model: '/models/tiny-bert-uncased/', ...onePass });

    const inWorker = await harnessValue(page, 'measureResponsiveness', 'busy-worker', inputs, intervalMs);
    const onMainThread = await harnessValue(page, 'measureResponsiveness', 'busy-main', inputs, intervalMs);
    console.info(
      `timer every ${intervalMs} ms during the batch: worker ${JSON.stringify(inWorker)}, main thread ${JSON.stringify(onMainThread)}`,
    );
    // The control: on the main thread the timer cannot tick until the pass is over.
    expect(onMainThread.maxGapMs).toBeGreaterThanOrEqual(0.9 * onMainThread.durationMs);
    // In worker mode it keeps ticking: no gap near the call's length, and at least a quarter of the
    // ticks due.
    expect(inWorker.maxGapMs).toBeLessThan(Math.min(500, inWorker.durationMs / 2));
    expect(inWorker.ticks).toBeGreaterThanOrEqual(Math.floor(inWorker.durationMs / intervalMs / 4));
  });

  it("sent no request to any host but the app's own origin", () => {
    expect(chromium.requests.length).toBeGreaterThan(10);
    expect(chromium.requests.filter((url) => new URL(url).origin !== server.url)).toEqual([]);
  });
});
