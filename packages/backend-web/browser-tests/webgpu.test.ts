import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MaskPredictions } from '@fillmask/core';
import { fixtureModels, isReplayable, loadReference } from '@fillmask/fixtures';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { harnessError, harnessValue, openHarness } from './harness-page.test-helper.js';
import { largestScoreDifference } from './node-reference.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

/** WebGPU sums in another order than the CPU (and SwiftShader emulates the GPU): scores agree to 1e-3. */
const tolerance = 1e-3;

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ app: inject('harnessDist') });
});

afterAll(async () => {
  await server?.close();
});

/** Same masks, same best candidate, and every candidate WebGPU ranks scored as on wasm within `tolerance`. */
function expectAgreement(webgpu: MaskPredictions[][], wasm: MaskPredictions[][], wasmWide: MaskPredictions[][], label: string): void {
  expect(
    webgpu.map((masks) => masks.length),
    label,
  ).toEqual(wasm.map((masks) => masks.length));
  for (const [inputIndex, masks] of webgpu.entries()) {
    for (const [maskIndex, predictions] of masks.entries()) {
      const where = `${label} input ${inputIndex} mask ${maskIndex}`;
      const wide = new Map(wasmWide[inputIndex][maskIndex].map((prediction) => [prediction.token, prediction.score]));
      expect(predictions[0].token, where).toBe(wasm[inputIndex][maskIndex][0].token);
      for (const prediction of predictions) {
        expect(wide.has(prediction.token), `${where}: token ${prediction.token} is far down wasm's ranking`).toBe(true);
        expect(Math.abs(prediction.score - wide.get(prediction.token)!), `${where} token ${prediction.token}`).toBeLessThanOrEqual(
          tolerance,
        );
      }
    }
  }
}

describe("WebGPU on Chromium's SwiftShader adapter", () => {
  let chromium: ChromiumSession;
  let page: Page;
  const differences: string[] = [];

  beforeAll(async () => {
    chromium = await launchChromium({ webgpu: true });
    page = await chromium.newPage();
    await openHarness(page, server.url);
  });

  afterAll(async () => {
    if (differences.length > 0) console.info(`largest score differences, WebGPU vs wasm:\n${differences.join('\n')}`);
    await chromium?.close();
  });

  for (const model of fixtureModels) {
    for (const dtype of ['fp32', 'q8'] as const) {
      it(`agrees with wasm within ${tolerance}: ${model} ${dtype}`, async () => {
        const reference = loadReference(model, dtype);
        const mask = reference.mask_token;
        // A dozen inputs: SwiftShader runs WebGPU on the CPU, and compiles its shaders for every new input shape.
        const singleMask = reference.cases.filter((entry) => isReplayable(entry) && entry.result).map((entry) => entry.input);
        const inputs = [...singleMask.slice(0, 11), `The ${mask} sat on the ${mask}.`];
        const opened = await harnessValue(page, 'open', `${model}-${dtype}-webgpu`, {
          model: `/models/${model}/`,
          dtype,
          backendOptions: { executionProvider: 'webgpu' },
        });
        expect(opened.runtime).toMatchObject({ executionProvider: 'webgpu', requestedExecutionProvider: 'webgpu', maskRowsOnly: true });
        await harnessValue(page, 'open', `${model}-${dtype}-wasm`, { model: `/models/${model}/`, dtype });

        const webgpu = (await harnessValue(page, 'fill', `${model}-${dtype}-webgpu`, inputs)) as MaskPredictions[][];
        const wasm = (await harnessValue(page, 'fill', `${model}-${dtype}-wasm`, inputs)) as MaskPredictions[][];
        const wasmWide = (await harnessValue(page, 'fill', `${model}-${dtype}-wasm`, inputs, { topK: 50 })) as MaskPredictions[][];
        expectAgreement(webgpu, wasm, wasmWide, `${model} ${dtype}`);
        differences.push(`${model} ${dtype}: ${largestScoreDifference(webgpu, wasm).toExponential(1)} rank by rank`);
        await harnessValue(page, 'dispose', `${model}-${dtype}-webgpu`);
        await harnessValue(page, 'dispose', `${model}-${dtype}-wasm`);
      });
    }
  }

  it('runs WebGPU in a worker too', async () => {
    const opened = await harnessValue(page, 'open', 'worker-webgpu', {
      model: '/models/tiny-bert-uncased/',
      worker: true,
      backendOptions: { executionProvider: 'webgpu' },
    });
    expect(opened.runtime).toMatchObject({ executionProvider: 'webgpu' });
    await harnessValue(page, 'open', 'main-wasm', { model: '/models/tiny-bert-uncased/' });
    const inputs = ['The capital of France is [MASK].', 'A [MASK] and a [MASK].'];
    const webgpu = (await harnessValue(page, 'fill', 'worker-webgpu', inputs)) as MaskPredictions[][];
    const wasm = (await harnessValue(page, 'fill', 'main-wasm', inputs)) as MaskPredictions[][];
    expectAgreement(webgpu, wasm, (await harnessValue(page, 'fill', 'main-wasm', inputs, { topK: 50 })) as MaskPredictions[][], 'worker');
  });

  it('fetched onnxruntime-web from the app origin only', () => {
    expect(chromium.requests.some((url) => /ort\.webgpu\.bundle/.test(url))).toBe(true);
    expect(chromium.requests.filter((url) => new URL(url).origin !== server.url)).toEqual([]);
  });
});

describe('WebGPU asked for where the browser has no adapter', () => {
  let chromium: ChromiumSession;
  let page: Page;

  beforeAll(async () => {
    chromium = await launchChromium();
    page = await chromium.newPage();
    await openHarness(page, server.url);
  });

  afterAll(async () => {
    await chromium?.close();
  });

  it('rejects with BackendUnavailableError saying why and what to do, by default', async () => {
    const error = await harnessError(page, 'open', 'no-fallback', {
      model: '/models/tiny-albert/',
      backendOptions: { executionProvider: 'webgpu' },
    });
    expect(error).toMatchObject({ name: 'FillMask_BackendUnavailableError', isInstanceOfItsClass: true, fields: { backend: 'web' } });
    expect(error.message).toContain('WebGPU was requested');
    expect(error.message).toContain('no WebGPU adapter');
    expect(error.message).toContain('fallbackToWasm: true');
  });

  it('falls back to wasm with fallbackToWasm, says so, and gives the wasm results', async () => {
    const opened = await harnessValue(page, 'open', 'fallback', {
      model: '/models/tiny-albert/',
      backendOptions: { executionProvider: 'webgpu', fallbackToWasm: true },
    });
    expect(opened.runtime).toMatchObject({ executionProvider: 'wasm', requestedExecutionProvider: 'webgpu', numThreads: 1 });
    expect(opened.runtime?.fallbackReason).toContain('no WebGPU adapter');
    await harnessValue(page, 'open', 'plain-wasm', { model: '/models/tiny-albert/' });
    const inputs = ['The capital of France is [MASK].'];
    expect(await harnessValue(page, 'fill', 'fallback', inputs)).toEqual(await harnessValue(page, 'fill', 'plain-wasm', inputs));
  });

  it('the same in a worker', async () => {
    const error = await harnessError(page, 'open', 'worker-no-fallback', {
      model: '/models/tiny-albert/',
      worker: true,
      backendOptions: { executionProvider: 'webgpu' },
    });
    expect(error).toMatchObject({ name: 'FillMask_BackendUnavailableError', isInstanceOfItsClass: true });
    const opened = await harnessValue(page, 'open', 'worker-fallback', {
      model: '/models/tiny-albert/',
      worker: true,
      backendOptions: { executionProvider: 'webgpu', fallbackToWasm: true },
    });
    expect(opened.runtime).toMatchObject({ executionProvider: 'wasm', requestedExecutionProvider: 'webgpu' });
  });

  it('never downloads the WebGPU build of onnxruntime-web when there is no adapter', () => {
    expect(chromium.requests.some((url) => /ort\.wasm\.bundle/.test(url))).toBe(true);
    expect(chromium.requests.some((url) => /ort\.webgpu|asyncify/.test(url))).toBe(false);
  });
});
