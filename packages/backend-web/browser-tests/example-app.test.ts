import { copyFile, readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { createFillMask, type FillMask, type MaskPredictions, type ModelDtype } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import type { FixtureModel } from '@fillmask/fixtures';
import { createWebBackend } from '../src/index.js';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { disposeNodeFillMasks, expectSamePredictions, nodeFillMask, sameArithmeticMode } from './node-reference.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

const exampleText = ['She opened the [MASK] and walked in.', 'The [MASK] sat on the [MASK].'];

/** The page's default model: @fillmask/model-mini-en, the project's trained model, which the app's build copies to /model-mini-en/. */
const trainedModel = 'model-mini-en';
const trainedModelFolder = fileURLToPath(new URL('../../model-mini-en/', import.meta.url));
type PageModel = FixtureModel | typeof trainedModel;

/**
 * What the trained model answers for exampleText in fp32, top 5 (onnxruntime-node, scores rounded to
 * 4 digits): sensible words, unlike the random-weight test models.
 */
const trainedModelFp32 = [
  [
    [
      ['door', 0.0783],
      ['hand', 0.0174],
      ['head', 0.0154],
      ['window', 0.014],
      ['face', 0.0132],
    ],
  ],
  [
    [
      ['door', 0.0387],
      ['man', 0.0205],
      ['first', 0.0124],
      ['room', 0.0122],
      ['wall', 0.0111],
    ],
    [
      ['door', 0.0614],
      ['room', 0.0182],
      ['house', 0.0153],
      ['table', 0.013],
      ['street', 0.0093],
    ],
  ],
] as const;

describe('examples/browser, built by Vite for production', () => {
  let assets: string[];
  let javascript: Array<{ file: string; text: string }>;

  beforeAll(async () => {
    const folder = path.join(inject('exampleDist'), 'assets');
    assets = await readdir(folder);
    javascript = await Promise.all(
      assets.filter((file) => file.endsWith('.js')).map(async (file) => ({ file, text: await readFile(path.join(folder, file), 'utf8') })),
    );
  });

  it("bundles core's web model source, and nothing of Node", () => {
    const all = javascript.map((chunk) => chunk.text).join('\n');
    expect(all).toContain('fillmask-models');
    // Strings only the Node branch of #platform/open-model has.
    expect(all).not.toContain('HF_HUB_CACHE');
    expect(all).not.toContain('HF_HUB_OFFLINE');
    for (const { file, text } of javascript) {
      expect(text, file).not.toMatch(/\b(from|import)\s*\(?\s*["'`]node:/);
      // onnxruntime-web keeps a guarded require('node:os') for Node; fillmask's own chunks name no Node module at all.
      if (!file.startsWith('ort.')) expect(text, file).not.toMatch(/["'`]node:[a-z]/);
    }
  });

  it("emits onnxruntime-web's .wasm files as assets of the app, and loads onnxruntime-web lazily", async () => {
    expect(assets).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ort-wasm-simd-threaded-[\w-]+\.wasm$/),
        expect.stringMatching(/^ort-wasm-simd-threaded\.asyncify-[\w-]+\.wasm$/),
      ]),
    );
    const html = await readFile(path.join(inject('exampleDist'), 'index.html'), 'utf8');
    const entryFile = /<script type="module"[^>]* src="\/assets\/([^"]+\.js)"/.exec(html)![1];
    const entry = javascript.find((chunk) => chunk.file === entryFile)!.text;
    // onnxruntime-web is a chunk of its own, imported on first use, not with the page.
    expect(entry).toMatch(/import\(\s*[`"']\.\/ort\.wasm\.bundle\.min-[\w-]+\.js[`"']\s*\)/);
    expect(entry).not.toMatch(/from\s*["']\.\/ort\./);
  });

  it('names no CDN for onnxruntime to fetch from', () => {
    for (const { file, text } of javascript) expect(text, file).not.toMatch(/jsdelivr|unpkg\.com|cdnjs/);
  });
});

describe('examples/browser in Chromium', () => {
  let server: TestServer;
  let chromium: ChromiumSession;
  let page: Page;

  beforeAll(async () => {
    server = await startTestServer({ app: inject('exampleDist') });
    chromium = await launchChromium();
    page = await chromium.newPage();
    await page.goto(`${server.url}/`);
  });

  afterAll(async () => {
    await chromium?.close();
    await server?.close();
    await disposeNodeFillMasks();
  });

  /** Sets the controls, clicks Fill, and reads the predictions the page shows. */
  async function fillInPage(settings: {
    model: PageModel;
    dtype: ModelDtype;
    executionProvider?: 'wasm' | 'webgpu';
    worker?: boolean;
  }): Promise<MaskPredictions[][]> {
    await page.selectOption('#model', settings.model === trainedModel ? '/model-mini-en/' : `/models/${settings.model}/`);
    await page.selectOption('#dtype', settings.dtype);
    await page.selectOption('#execution-provider', settings.executionProvider ?? 'wasm');
    await page.setChecked('#use-worker', settings.worker ?? true);
    await page.fill('#text', exampleText.join('\n'));
    await page.evaluate(() => delete document.body.dataset.state);
    await page.click('#fill');
    await page.waitForFunction(() => document.body.dataset.state === 'done' || document.body.dataset.state === 'failed');
    expect(await page.evaluate(() => document.body.dataset.state), (await page.textContent('#results')) ?? '').toBe('done');
    return page.$$eval('.input-result', (cards) =>
      cards.map((card) =>
        [...card.querySelectorAll('ol.mask')].map((list) =>
          [...list.querySelectorAll<HTMLElement>('li.prediction')].map((row) => ({
            token: Number(row.dataset.token),
            token_str: JSON.parse(row.querySelector('.token')!.textContent!),
            sequence: row.title,
            score: Number(row.dataset.score),
          })),
        ),
      ),
    );
  }

  const trainedModelNode = new Map<ModelDtype, Promise<FillMask>>();

  /** The trained model in Node, computing what onnxruntime-web computes in the page (see sameArithmeticMode). */
  function nodeTrainedFillMask(dtype: ModelDtype): Promise<FillMask> {
    let fillMask = trainedModelNode.get(dtype);
    if (fillMask === undefined) {
      const backend =
        sameArithmeticMode(dtype) === 'wasm'
          ? createWebBackend({ numThreads: 1 })
          : createOnnxBackend({ sessionOptions: { graphOptimizationLevel: 'basic' } });
      fillMask = createFillMask({ model: trainedModelFolder, dtype, backend, onWarning: () => undefined });
      trainedModelNode.set(dtype, fillMask);
    }
    return fillMask;
  }

  afterAll(async () => {
    await Promise.all([...trainedModelNode.values()].map(async (fillMask) => (await fillMask).dispose()));
  });

  async function nodeResults(model: PageModel, dtype: ModelDtype): Promise<MaskPredictions[][]> {
    const node = await (model === trainedModel ? nodeTrainedFillMask(dtype) : nodeFillMask(model, dtype));
    return node.fill(exampleText.map((line) => line.replaceAll('[MASK]', node.maskToken)));
  }

  /** Requests for model files: the trained model's (in the app's build) and the test models' (/models/). */
  function modelRequests(): string[] {
    return server.requests.filter((request) => /^\/(models|model-mini-en)\//.test(request.path)).map((request) => request.path);
  }

  it('loads no runtime and no model until asked', () => {
    expect(chromium.requests.filter((url) => /\.wasm|ort\.|\/models\/|\/model-mini-en\//.test(url))).toEqual([]);
  });

  it("opens on the project's trained model, and shows its predictions: real words", async () => {
    expect(await page.inputValue('#model')).toBe('/model-mini-en/');
    expect(await page.inputValue('#text')).toBe(exampleText.join('\n'));
    const shown = await fillInPage({ model: trainedModel, dtype: 'fp32' });
    expect(shown.map((masks) => masks.map((predictions) => predictions.map(({ token_str }) => token_str)))).toEqual(
      trainedModelFp32.map((masks) => masks.map((predictions) => predictions.map(([token]) => token))),
    );
    for (const [inputIndex, masks] of shown.entries()) {
      for (const [maskIndex, predictions] of masks.entries()) {
        for (const [rank, { score }] of predictions.entries()) {
          expect(score).toBeCloseTo(trainedModelFp32[inputIndex][maskIndex][rank][1], 3);
        }
      }
    }
    expect(shown[0][0][0].sequence).toBe('she opened the door and walked in.');
    expectSamePredictions(shown, await nodeResults(trainedModel, 'fp32'), 1e-4, 'model-mini-en fp32');
    expect(modelRequests()).toEqual(expect.arrayContaining(['/model-mini-en/tokenizer.json', '/model-mini-en/onnx/model.onnx']));
  });

  for (const [model, dtype] of [
    ['model-mini-en', 'q8'],
    ['tiny-roberta', 'fp32'],
    ['tiny-roberta', 'q8'],
    ['tiny-albert', 'fp32'],
  ] as const) {
    it(`shows the Node backend's predictions: ${model} ${dtype}, in a worker`, async () => {
      const shown = await fillInPage({ model, dtype });
      expect(shown.map((masks) => masks.length)).toEqual([1, 2]);
      expectSamePredictions(shown, await nodeResults(model, dtype), 1e-4, `${model} ${dtype}`);
      expect(await page.textContent('#status')).toMatch(/in \d+ ms on WebAssembly, 1 thread, in a Web Worker$/);
    });
  }

  it('gives the same predictions on the main thread', async () => {
    const shown = await fillInPage({ model: 'tiny-bert-uncased', dtype: 'fp32', worker: false });
    expectSamePredictions(shown, await nodeResults('tiny-bert-uncased', 'fp32'), 1e-4, 'main thread');
    expect(await page.textContent('#status')).toMatch(/on the main thread$/);
  });

  it('switched to WebGPU in a browser without it, falls back to WebAssembly and says why', async () => {
    const shown = await fillInPage({ model: 'tiny-bert-uncased', dtype: 'fp32', executionProvider: 'webgpu' });
    expectSamePredictions(shown, await nodeResults('tiny-bert-uncased', 'fp32'), 1e-4, 'fallback');
    expect(await page.textContent('#status')).toContain('on WebAssembly, 1 thread (no WebGPU: the browser found no WebGPU adapter');
  });

  it('after a reload, fills from the Cache API without a model request', async () => {
    const before = modelRequests().length;
    expect(before).toBeGreaterThan(0);
    await page.reload();
    for (const model of [trainedModel, 'tiny-roberta'] as const) {
      const shown = await fillInPage({ model, dtype: 'fp32' });
      expectSamePredictions(shown, await nodeResults(model, 'fp32'), 1e-4, `${model} after reload`);
    }
    expect(modelRequests().length).toBe(before);
  });

  it('renders the predictions as bars; a screenshot for the README', async () => {
    await page.reload();
    await fillInPage({ model: trainedModel, dtype: 'fp32' });
    const widths = await page.$$eval('.bar', (bars) => bars.map((bar) => bar.getBoundingClientRect().width));
    expect(widths.length).toBe(15);
    expect(Math.max(...widths)).toBeGreaterThan(0);
    const screenshot = path.join(tmpdir(), `fillmask-example-${process.pid}.png`);
    const image = await page.screenshot({ path: screenshot, fullPage: true });
    expect(image.subarray(1, 4).toString()).toBe('PNG');
    // FILLMASK_UPDATE_SCREENSHOT=1 npm run test:browser refreshes the README's picture.
    if (process.env.FILLMASK_UPDATE_SCREENSHOT === '1') {
      await copyFile(screenshot, fileURLToPath(new URL('../../../examples/browser/screenshot.png', import.meta.url)));
    }
  });

  it('sent every request to the app origin, the .wasm files included', () => {
    expect(chromium.requests.filter((url) => new URL(url).origin !== server.url)).toEqual([]);
    expect(server.requests.filter((request) => request.path.endsWith('.wasm')).map((request) => request.path)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/assets\/ort-wasm-simd-threaded-[\w-]+\.wasm$/)]),
    );
  });
});
