import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { MaskPredictions } from '@fillmask/core';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readModelWithWeightsByReference } from '@fillmask/onnx';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { harnessError, harnessValue, openHarness } from './harness-page.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

let server: TestServer;
let hub: HubServer;
let chromium: ChromiumSession;
let page: Page;
/** tiny-roberta saved as a model over 2 GB is: the graph in onnx/model.onnx, its weights in onnx/model.onnx_data. */
const externalDataModel = mkdtempSync(path.join(tmpdir(), 'fillmask-external-data-'));

beforeAll(async () => {
  server = await startTestServer({ app: inject('harnessDist') });
  cpSync(fixtureModelPath('tiny-roberta'), externalDataModel, { recursive: true, filter: (source) => !source.endsWith('.onnx') });
  const whole = new Uint8Array(readFileSync(path.join(fixtureModelPath('tiny-roberta'), 'onnx', 'model.onnx')));
  const graph = await readModelWithWeightsByReference(
    { size: whole.length, read: async (offset, length) => whole.slice(offset, offset + length) },
    { location: 'model.onnx_data' },
  );
  writeFileSync(path.join(externalDataModel, 'onnx', 'model.onnx'), graph.model);
  copyFileSync(path.join(fixtureModelPath('tiny-roberta'), 'onnx', 'model.onnx'), path.join(externalDataModel, 'onnx', 'model.onnx_data'));
  hub = await startHubServer({
    repos: {
      'org/big-model': { folder: externalDataModel },
      'org/tiny-roberta': { folder: fixtureModelPath('tiny-roberta'), revisions: { v2: fixtureModelPath('tiny-bert-uncased') } },
      'org/gated': { folder: fixtureModelPath('tiny-albert'), gated: true },
    },
    token: 'hf_test_secret',
    cors: true,
  });
  chromium = await launchChromium();
  page = await chromium.newPage();
  await openHarness(page, server.url);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await hub?.close();
  rmSync(externalDataModel, { recursive: true, force: true });
});

const modelFiles = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'onnx/model.onnx'];
const fileSize = (model: Parameters<typeof fixtureModelPath>[0], file: string) => statSync(path.join(fixtureModelPath(model), file)).size;

describe('models from a URL base, kept in the Cache API', () => {
  let firstResult: MaskPredictions[][];

  it('downloads each file once, reporting progress with loaded and total bytes', async () => {
    const opened = await harnessValue(page, 'open', 'first', { model: '/models/tiny-roberta/' });
    firstResult = (await harnessValue(page, 'fill', 'first', ['Paris is the <mask> of France.'])) as MaskPredictions[][];
    // A URL base lists no files: the export is asked for with a HEAD before anything is chosen (a
    // model without one loads from its weights), and the tokenizer loader asks whether
    // tokenizer_config.json exists: one HEAD each.
    expect(
      server
        .modelRequests()
        .map((request) => `${request.method} ${request.path}`)
        .sort(),
    ).toEqual(
      [
        ...modelFiles.map((file) => `GET /models/tiny-roberta/${file}`),
        'HEAD /models/tiny-roberta/onnx/model.onnx',
        'HEAD /models/tiny-roberta/tokenizer_config.json',
      ].sort(),
    );
    const modelEvents = opened.progress.filter((event) => event.file === 'onnx/model.onnx');
    const size = fileSize('tiny-roberta', 'onnx/model.onnx');
    expect(modelEvents[0]).toEqual({ file: 'onnx/model.onnx', status: 'download', loadedBytes: 0, totalBytes: size });
    expect(modelEvents.at(-1)).toEqual({ file: 'onnx/model.onnx', status: 'done', loadedBytes: size, totalBytes: size });
    // The body streams: several reports in between, each with more bytes than the last.
    const downloads = modelEvents.filter((event) => event.status === 'download');
    expect(downloads.length).toBeGreaterThan(3);
    for (const [index, event] of downloads.slice(1).entries()) expect(event.loadedBytes).toBeGreaterThan(downloads[index].loadedBytes);
    expect(await harnessValue(page, 'cachedUrls')).toEqual(
      expect.arrayContaining(modelFiles.map((file) => `${server.url}/models/tiny-roberta/${file}`)),
    );
  });

  it('after a reload, opens the model from the cache without any model request, on the main thread and in a worker', async () => {
    const before = server.modelRequests().length;
    await page.reload();
    await openHarness(page, server.url);
    const opened = await harnessValue(page, 'open', 'reloaded', { model: '/models/tiny-roberta/' });
    expect(opened.progress.map((event) => event.status)).toEqual(modelFiles.map(() => 'cached'));
    expect(await harnessValue(page, 'fill', 'reloaded', ['Paris is the <mask> of France.'])).toEqual(firstResult);
    const inWorker = await harnessValue(page, 'open', 'reloaded-worker', { model: '/models/tiny-roberta/', worker: true });
    expect(inWorker.progress.every((event) => event.status === 'cached')).toBe(true);
    expect(server.modelRequests().length).toBe(before);
  });

  it('works offline from the cache: with the network down, and with offline: true', async () => {
    await chromium.context.setOffline(true);
    try {
      await harnessValue(page, 'open', 'network-down', { model: '/models/tiny-roberta/' });
      expect(await harnessValue(page, 'fill', 'network-down', ['Paris is the <mask> of France.'])).toEqual(firstResult);
      const uncached = await harnessError(page, 'open', 'network-down-uncached', { model: '/models/tiny-albert/' });
      expect(uncached).toMatchObject({ name: 'FillMask_HubRequestError', isInstanceOfItsClass: true });
      expect(uncached.fields.status ?? undefined).toBeUndefined();
      expect(uncached.message).toContain(`Could not fetch ${server.url}/models/tiny-albert/config.json`);
    } finally {
      await chromium.context.setOffline(false);
    }
    const before = server.modelRequests().length;
    await harnessValue(page, 'open', 'offline-flag', { model: '/models/tiny-roberta/', offline: true });
    const refused = await harnessError(page, 'open', 'offline-flag-uncached', { model: '/models/tiny-albert/', offline: true });
    expect(refused).toMatchObject({ name: 'FillMask_ModelFileNotFoundError', isInstanceOfItsClass: true, fields: { file: 'config.json' } });
    expect(refused.message).toContain('offline mode is on');
    expect(server.modelRequests().length).toBe(before);
  });

  it('never sends the access token to the app origin', async () => {
    await harnessValue(
      page,
      'readModelFile',
      '/models/tiny-bert-uncased/',
      { accessToken: 'hf_test_secret', hubUrl: hub.url },
      'config.json',
    );
    expect(server.requests.some((request) => request.authorization)).toBe(false);
  });
});

describe('models from the Hub: <hubUrl>/<id>/resolve/<revision>/, LFS files through the CDN redirect', () => {
  it('gives the same results as the same model from a URL base, and caches it under its revision', async () => {
    await harnessValue(page, 'open', 'hub', { model: 'org/tiny-roberta', hubUrl: hub.url });
    expect(await harnessValue(page, 'fill', 'hub', ['Paris is the <mask> of France.'])).toEqual(
      await harnessValue(page, 'fill', 'reloaded', ['Paris is the <mask> of France.']),
    );
    const cdnDownloads = hub.requests.filter((request) => request.server === 'cdn' && request.method === 'GET');
    expect(cdnDownloads).toHaveLength(1);
    const cached = await harnessValue(page, 'cachedUrls');
    expect(cached).toEqual(expect.arrayContaining(modelFiles.map((file) => `${hub.url}/org/tiny-roberta/resolve/main/${file}`)));

    // Another revision is other files: downloaded, not served from main's cache.
    const hubRequests = hub.requests.length;
    const v2 = await harnessValue(page, 'open', 'hub-v2', { model: 'org/tiny-roberta', hubUrl: hub.url, revision: 'v2' });
    expect(v2.maskToken).toBe('[MASK]');
    expect(v2.model).toBe('hub:org/tiny-roberta@v2');
    expect(
      hub.requests.slice(hubRequests).filter((request) => request.method === 'GET' && request.path.includes('/resolve/v2/')),
    ).toHaveLength(4);

    // And a reload opens it with no request to the Hub.
    const before = hub.requests.length;
    await harnessValue(page, 'open', 'hub-again', { model: 'org/tiny-roberta', hubUrl: hub.url });
    expect(hub.requests.length).toBe(before);
  });

  it('sends the access token to the Hub only: never to the CDN it redirects to', async () => {
    const before = hub.requests.length;
    const opened = await harnessValue(page, 'open', 'gated', { model: 'org/gated', hubUrl: hub.url, accessToken: 'hf_test_secret' });
    expect(opened.maskToken).toBe('[MASK]');
    const requests = hub.requests.slice(before).filter((request) => request.method !== 'OPTIONS');
    expect(requests.filter((request) => request.server === 'hub').every((request) => request.authorization)).toBe(true);
    expect(requests.filter((request) => request.server === 'cdn')).toEqual([
      expect.objectContaining({ authorization: false, status: 200 }),
    ]);
  });

  it('rejects a gated model without a token, or with a wrong one, with HubRequestError that never shows the token', async () => {
    // A file the previous test did not cache (a cached file is read from the cache, token or not).
    const anonymous = await harnessError(
      page,
      'readModelFile',
      'org/gated',
      { hubUrl: hub.url, revision: 'main' },
      'special_tokens_map.json',
    );
    expect(anonymous).toMatchObject({
      name: 'FillMask_HubRequestError',
      isInstanceOfItsClass: true,
      fields: { status: 401, errorCode: 'GatedRepo' },
    });
    expect(anonymous.message).toContain('org/gated (revision main) is gated or private');
    expect(anonymous.fields.requestId).toMatch(/^Root=1-/);

    const wrong = await harnessError(
      page,
      'readModelFile',
      'org/gated',
      { hubUrl: hub.url, accessToken: 'hf_wrong_secret' },
      'special_tokens_map.json',
    );
    expect(wrong).toMatchObject({ name: 'FillMask_HubRequestError', fields: { status: 401 } });
    expect(wrong.message).toContain('The Hub refused the access token');
    expect(JSON.stringify(wrong)).not.toContain('hf_wrong_secret');
  });

  it('tells a missing file from a missing repository', async () => {
    expect(await harnessValue(page, 'modelFileExists', 'org/tiny-roberta', { hubUrl: hub.url }, 'special_tokens_map.json')).toBe(true);
    expect(await harnessValue(page, 'modelFileExists', 'org/tiny-roberta', { hubUrl: hub.url }, 'no_such_file.json')).toBe(false);
    const missingFile = await harnessError(page, 'readModelFile', 'org/tiny-roberta', { hubUrl: hub.url }, 'no_such_file.json');
    expect(missingFile).toMatchObject({
      name: 'FillMask_ModelFileNotFoundError',
      fields: { model: 'org/tiny-roberta', file: 'no_such_file.json' },
    });
    const missingRepo = await harnessError(page, 'readModelFile', 'org/nothing-here', { hubUrl: hub.url }, 'config.json');
    expect(missingRepo).toMatchObject({ name: 'FillMask_HubRequestError', fields: { status: 401, errorCode: 'RepoNotFound' } });
  });

  it('never caches a download cut short: the next read downloads the whole file again', async () => {
    const modelUrl = `${hub.url}/org/tiny-roberta/resolve/main/onnx/model_quantized.onnx`;
    hub.setFaults({ cutBodyAfterBytes: 200_000, onlyFile: 'onnx/model_quantized.onnx' });
    try {
      const cut = await harnessError(page, 'readModelFile', 'org/tiny-roberta', { hubUrl: hub.url }, 'onnx/model_quantized.onnx');
      expect(cut).toMatchObject({ name: 'FillMask_HubRequestError', isInstanceOfItsClass: true });
      expect(cut.message).toMatch(/onnx\/model_quantized\.onnx .*(broke off|ended) after/);
      expect(await harnessValue(page, 'cachedUrls')).not.toContain(modelUrl);
    } finally {
      hub.setFaults({});
    }
    const before = hub.requests.filter((request) => request.server === 'cdn' && request.method === 'GET').length;
    const whole = await harnessValue(page, 'readModelFile', 'org/tiny-roberta', { hubUrl: hub.url }, 'onnx/model_quantized.onnx');
    expect(whole.byteLength).toBe(fileSize('tiny-roberta', 'onnx/model_quantized.onnx'));
    expect(hub.requests.filter((request) => request.server === 'cdn' && request.method === 'GET').length).toBe(before + 1);
    expect(await harnessValue(page, 'cachedUrls')).toContain(modelUrl);
  });
});

describe('a Hub model that keeps its weights in external data (onnx/model.onnx_data)', () => {
  it('downloads the data with the graph, keeps both in the cache, and gives the same results as the model in one file', async () => {
    const opened = await harnessValue(page, 'open', 'external-data', { model: 'org/big-model', hubUrl: hub.url });
    const size = fileSize('tiny-roberta', 'onnx/model.onnx');
    expect(opened.progress.filter((event) => event.file === 'onnx/model.onnx_data').at(-1)).toEqual({
      file: 'onnx/model.onnx_data',
      status: 'done',
      loadedBytes: size,
      totalBytes: size,
    });
    const sentences = ['Paris is the <mask> of France.', 'A <mask> and a <mask>.'];
    await harnessValue(page, 'open', 'external-data-reference', { model: 'org/tiny-roberta', hubUrl: hub.url });
    expect(await harnessValue(page, 'fill', 'external-data', sentences)).toEqual(
      await harnessValue(page, 'fill', 'external-data-reference', sentences),
    );
    expect(await harnessValue(page, 'cachedUrls')).toEqual(
      expect.arrayContaining(['onnx/model.onnx', 'onnx/model.onnx_data'].map((file) => `${hub.url}/org/big-model/resolve/main/${file}`)),
    );
  });
});
