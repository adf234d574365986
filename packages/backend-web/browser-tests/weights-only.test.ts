import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { Page } from 'playwright-core';
import { toPipelineOutput, type MaskPredictions } from '@fillmask/core';
import {
  loadWeightRepoExpectations,
  weightRepoPath,
  weightRepos,
  comparePipelineAnswers,
  expectedWeightRepoAnswer,
  type PipelineAnswer,
  type WeightRepo,
} from '@fillmask/fixtures';
import { startHubServer, type HubServer } from '@fillmask/test-hub-server';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { harnessError, harnessValue, openHarness } from './harness-page.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

// The weights-only repositories of backend-onnx's weights-only-parity test (config.json, weights,
// often only slow tokenizer files, no ONNX export), in headless Chromium on the web backend (wasm):
// the graph is built in the page from the weights, and the answers are Python's pipeline answers,
// compared as that test compares them (same ids, token_str and sequence, scores within 1e-4).

let server: TestServer;
let hub: HubServer;
let chromium: ChromiumSession;
let page: Page;

beforeAll(async () => {
  server = await startTestServer({ app: inject('harnessDist') });
  hub = await startHubServer({ repos: { 'org/bert-vocab-only': { folder: weightRepoPath('bert-vocab-only') } }, cors: true });
  chromium = await launchChromium();
  page = await chromium.newPage();
  await openHarness(page, server.url);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
  await hub?.close();
});

const weightFile = /\/(model\.safetensors|pytorch_model\.bin)(\.index\.json)?$/;

function failedDownloads(requests: ReadonlyArray<{ method: string; path: string; status: number }>): string[] {
  return requests.filter((request) => request.method === 'GET' && request.status !== 200).map((request) => request.path);
}

function expectSameAnswers(actual: unknown, expected: PipelineAnswer, label: string): void {
  const compared = comparePipelineAnswers(actual, expected);
  expect(compared.actual, label).toEqual(compared.expected);
  expect(compared.largestScoreGap, label).toBeLessThanOrEqual(1e-4);
}

/** Opens the model in the page, fills each case one call at a time and all in one call, and compares with Python's answers. */
async function expectPythonAnswers(id: string, repo: WeightRepo, source: { model: string; hubUrl?: string }): Promise<string[]> {
  const expectations = loadWeightRepoExpectations(repo);
  await harnessValue(page, 'open', id, { ...source, debug: true });
  try {
    for (const testCase of expectations.cases) {
      const result = (await harnessValue(page, 'fill', id, testCase.input, { topK: 5 })) as MaskPredictions[];
      expectSameAnswers(toPipelineOutput(result), expectedWeightRepoAnswer(testCase, expectations), `${repo} ${testCase.id}`);
    }
    const inputs = expectations.cases.map((testCase) => testCase.input);
    const batched = (await harnessValue(page, 'fill', id, inputs, { topK: 5 })) as MaskPredictions[][];
    expect(batched).toHaveLength(expectations.cases.length);
    for (const [index, testCase] of expectations.cases.entries()) {
      expectSameAnswers(
        toPipelineOutput(batched[index]),
        expectedWeightRepoAnswer(testCase, expectations),
        `${repo} batched ${testCase.id}`,
      );
    }
    return await harnessValue(page, 'takeDebugLines', id);
  } finally {
    await harnessValue(page, 'dispose', id);
  }
}

describe('weights-only repositories from a URL base, in Chromium (wasm): Python pipeline answers', () => {
  for (const repo of weightRepos) {
    it(repo, async () => {
      const base = `/hub-repos/${repo}/`;
      const before = server.requests.length;
      const lines = await expectPythonAnswers(`url-${repo}`, repo, { model: base });
      expect(lines.some((line) => line.includes('has no ONNX export: its graph is built from'))).toBe(true);
      const requests = server.requests.slice(before).filter((request) => request.path.startsWith(base));
      // No file listing over HTTP: core asks with HEAD whether the ONNX export is there, then each
      // weights file in transformers' order until one is, and downloads that one.
      expect(requests).toContainEqual({ method: 'HEAD', path: `${base}onnx/model.onnx`, status: 404, authorization: false });
      const weights = requests.find((request) => request.method === 'HEAD' && request.status === 200 && weightFile.test(request.path));
      expect(weights, 'a HEAD that found the weights').toBeDefined();
      expect(requests).toContainEqual({ ...weights, method: 'GET' });
      // No failed download but tokenizer.json, which core reads without asking first (by design: one request less).
      expect(
        failedDownloads(requests).every((path) => path === `${base}tokenizer.json`),
        failedDownloads(requests).join(', '),
      ).toBe(true);
    });
  }
});

describe('a weights-only repository from the Hub, by id, in Chromium', () => {
  it("bert-vocab-only: chosen from the Hub's file list, no request for a file the repository lacks", async () => {
    const before = hub.requests.length;
    await expectPythonAnswers('hub-bert-vocab-only', 'bert-vocab-only', { model: 'org/bert-vocab-only', hubUrl: hub.url });
    const requests = hub.requests.slice(before);
    // The weights are chosen from the Hub's file list: no probe for the export or for weights it lacks.
    expect(requests.some((request) => request.path.startsWith('/api/models/org/bert-vocab-only/revision/'))).toBe(true);
    expect(requests.some((request) => request.path.includes('/onnx/'))).toBe(false);
    expect(requests.filter((request) => request.method === 'HEAD' && weightFile.test(request.path))).toEqual([]);
    expect(requests.some((request) => request.method === 'GET' && request.path.endsWith('/resolve/main/pytorch_model.bin'))).toBe(true);
    // Later lookups are answered from that list too: nothing the repository lacks is asked for.
    expect(requests.filter((request) => request.status === 404).map((request) => request.path)).toEqual([]);
  });
});

describe('weights-only repositories in Chromium: typed errors', () => {
  it('a model type the builder does not know: UnsupportedModelError naming it and what is supported', async () => {
    const error = await harnessError(page, 'open', 'unsupported-arch', { model: '/hub-repos/unsupported-arch/' });
    expect(error.name).toBe('FillMask_UnsupportedModelError');
    expect(error.isInstanceOfItsClass).toBe(true);
    expect(error.message).toContain('big_bird');
    expect(error.message).toContain('bert');
  });
});
