import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MaskPredictions } from '@fillmask/core';
import { isReplayable, loadReference } from '@fillmask/fixtures';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { harnessError, harnessValue, openHarness } from './harness-page.test-helper.js';
import { disposeNodeFillMasks, expectSamePredictions, nodeFillMask } from './node-reference.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

const reference = loadReference('tiny-bert-uncased', 'fp32');
const inputs = [
  ...reference.cases.filter((entry) => isReplayable(entry) && entry.result).map((entry) => entry.input),
  'A [MASK] and a [MASK].',
];

let chromium: ChromiumSession;

beforeAll(async () => {
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await disposeNodeFillMasks();
});

/** A fresh page: onnxruntime-web reads its environment (threads, wasm paths) once per page. */
async function freshPage(server: TestServer): Promise<Page> {
  const page = await chromium.newPage();
  await openHarness(page, server.url);
  return page;
}

describe('WebAssembly threads', () => {
  let isolated: TestServer;
  let plain: TestServer;

  beforeAll(async () => {
    isolated = await startTestServer({ app: inject('harnessDist'), isolated: true });
    plain = await startTestServer({ app: inject('harnessDist') });
  });

  afterAll(async () => {
    await isolated?.close();
    await plain?.close();
  });

  for (const worker of [false, true]) {
    it(`run on a cross-origin isolated page, with the Node backend's results (${worker ? 'in a worker' : 'main thread'})`, async () => {
      const page = await freshPage(isolated);
      expect(await page.evaluate(() => crossOriginIsolated)).toBe(true);
      const workers: string[] = [];
      page.on('worker', (started) => workers.push(started.url()));
      const opened = await harnessValue(page, 'open', 'threads', {
        model: '/models/tiny-bert-uncased/',
        worker,
        backendOptions: { numThreads: 2 },
      });
      expect(opened.runtime).toMatchObject({ executionProvider: 'wasm', numThreads: 2 });
      const web = (await harnessValue(page, 'fill', 'threads', inputs)) as MaskPredictions[][];
      expectSamePredictions(web, await (await nodeFillMask('tiny-bert-uncased', 'fp32')).fill(inputs), 1e-4, 'two threads');
      // onnxruntime's second thread is a Web Worker of its own (the fill-mask worker, when there is one, is another).
      expect(workers.length).toBeGreaterThanOrEqual(worker ? 2 : 1);
      await page.close();
    });
  }

  it('default to half the logical cores, at most 4, when the page is isolated', async () => {
    const page = await freshPage(isolated);
    const cores = await page.evaluate(() => navigator.hardwareConcurrency);
    const opened = await harnessValue(page, 'open', 'default', { model: '/models/tiny-bert-uncased/' });
    expect(opened.runtime?.numThreads).toBe(Math.min(4, Math.ceil(cores / 2)));
    await page.close();
  });

  it('are one on a page that is not isolated, whatever is asked (SharedArrayBuffer is missing)', async () => {
    const page = await freshPage(plain);
    expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
    const workers: string[] = [];
    page.on('worker', (started) => workers.push(started.url()));
    const opened = await harnessValue(page, 'open', 'one', { model: '/models/tiny-bert-uncased/', backendOptions: { numThreads: 2 } });
    expect(opened.runtime).toMatchObject({ numThreads: 1 });
    const web = (await harnessValue(page, 'fill', 'one', inputs)) as MaskPredictions[][];
    expectSamePredictions(web, await (await nodeFillMask('tiny-bert-uncased', 'fp32')).fill(inputs), 1e-4, 'one thread');
    expect(workers).toEqual([]);
    await page.close();
  });
});

describe('where the .wasm files come from', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ app: inject('harnessDist') });
  });

  afterAll(async () => {
    await server?.close();
  });

  it('by default, the asset the bundler emitted, on the app origin', async () => {
    const page = await freshPage(server);
    const before = server.requests.length;
    await harnessValue(page, 'open', 'default', { model: '/models/tiny-albert/' });
    const wasm = server.requests.slice(before).filter((request) => request.path.endsWith('.wasm'));
    expect(wasm.map((request) => request.path)).toEqual([expect.stringMatching(/^\/assets\/ort-wasm-simd-threaded-[\w-]+\.wasm$/)]);
    await page.close();
  });

  it('with wasmPaths, from that URL', async () => {
    const page = await freshPage(server);
    const before = server.requests.length;
    const opened = await harnessValue(page, 'open', 'custom', { model: '/models/tiny-albert/', backendOptions: { wasmPaths: '/ort/' } });
    expect(opened.runtime?.executionProvider).toBe('wasm');
    const wasm = server.requests.slice(before).filter((request) => request.path.endsWith('.wasm'));
    expect(wasm.map((request) => `${request.path} ${request.status}`)).toEqual(['/ort/ort-wasm-simd-threaded.wasm 200']);
    await page.close();
  });

  it('a wasmPaths where the files are not is BackendUnavailableError naming the option', async () => {
    const page = await freshPage(server);
    const error = await harnessError(page, 'open', 'nowhere', {
      model: '/models/tiny-albert/',
      backendOptions: { wasmPaths: '/nowhere/' },
    });
    expect(error).toMatchObject({ name: 'FillMask_BackendUnavailableError', isInstanceOfItsClass: true, fields: { backend: 'web' } });
    expect(error.message).toContain('wasmPaths');
    await page.close();
  });

  it('sent no request to any host but the app origin', () => {
    expect(chromium.requests.filter((url) => !url.startsWith('http://127.0.0.1:'))).toEqual([]);
  });
});
