import { existsSync } from 'node:fs';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, InvalidModelFileError, toPipelineOutput, UnsupportedModelError } from '@fillmask/core';
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
import { createOnnxBackend } from './create-onnx-backend.js';

// Repositories as the Hub publishes most fill-mask models (weights, often only slow tokenizer files,
// no ONNX export), against Python's pipeline on the same folders: same ids, token_str and sequence,
// scores within 1e-4. Where transformers 5 changed a tokenizer default, the answer with transformers
// 4's defaults is the one the Hub's own tokenizer.json gives, and the one fillmask matches; fp16 and
// bf16 weights are widened to float32, so their answers are the float32 ones.

let cache: string;
beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'fillmask-built-graphs-'));
});
afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

function expectSameAnswers(actual: unknown, expected: PipelineAnswer, label: string): void {
  const compared = comparePipelineAnswers(actual, expected);
  expect(compared.actual, label).toEqual(compared.expected);
  expect(compared.largestScoreGap, label).toBeLessThanOrEqual(1e-4);
}

async function expectPythonAnswers(model: string, repo: WeightRepo, options: { hubUrl?: string; cacheDir?: string } = {}): Promise<void> {
  const expectations = loadWeightRepoExpectations(repo);
  const fillMask = await createFillMask({ model, backend: createOnnxBackend({ builtGraphCache: cache }), ...options });
  try {
    for (const testCase of expectations.cases) {
      const result = await fillMask.fill(testCase.input, { topK: 5 });
      expectSameAnswers(toPipelineOutput(result), expectedWeightRepoAnswer(testCase, expectations), `${repo} ${testCase.id}`);
    }
    // Batched, in one call: the same answers.
    const batched = await fillMask.fill(
      expectations.cases.map((testCase) => testCase.input),
      { topK: 5 },
    );
    for (const [index, result] of batched.entries()) {
      const testCase = expectations.cases[index];
      expectSameAnswers(toPipelineOutput(result), expectedWeightRepoAnswer(testCase, expectations), `${repo} batched ${testCase.id}`);
    }
  } finally {
    await fillMask.dispose();
  }
}

describe('weights-only repositories from a local folder: Python pipeline answers', () => {
  for (const repo of weightRepos) {
    it(repo, async () => {
      await expectPythonAnswers(weightRepoPath(repo), repo);
    });
  }
});

describe('weights-only repositories from the Hub', () => {
  let hub: HubServer;
  let hubCache: string;
  const hubRepos = ['bert-vocab-only', 'bert-legacy-bin', 'roberta-bpe-files', 'bert-sharded'] as const;
  beforeAll(async () => {
    hubCache = await mkdtemp(join(tmpdir(), 'fillmask-hub-cache-'));
    hub = await startHubServer({ repos: Object.fromEntries(hubRepos.map((repo) => [`org/${repo}`, { folder: weightRepoPath(repo) }])) });
  });
  afterAll(async () => {
    await hub?.close();
    await rm(hubCache, { recursive: true, force: true });
  });

  for (const repo of hubRepos) {
    it(`${repo}: chosen from the Hub's file list, no request for a file the repository lacks`, async () => {
      const before = hub.requests.length;
      await expectPythonAnswers(`org/${repo}`, repo, { hubUrl: hub.url, cacheDir: hubCache });
      const requests = hub.requests.slice(before);
      expect(requests.some((request) => request.path.startsWith(`/api/models/org/${repo}/revision/`))).toBe(true);
      expect(requests.filter((request) => request.status === 404).map((request) => request.path)).toEqual([]);
      expect(requests.some((request) => request.path.includes('/onnx/'))).toBe(false);
    });
  }

  it('the second load opens the built graph from the cache, with no new build', async () => {
    const lines: string[] = [];
    const fillMask = await createFillMask({
      model: 'org/bert-vocab-only',
      hubUrl: hub.url,
      cacheDir: hubCache,
      backend: createOnnxBackend({ builtGraphCache: cache, onDebug: (line) => lines.push(line) }),
    });
    await fillMask.dispose();
    expect(lines.some((line) => line.includes('is read from'))).toBe(true);
  });
});

describe('weights-only repositories in q8: the weights quantized at load', () => {
  it('answers as the fp32 graph where its top answer leads clearly, batched or not', async () => {
    const expectations = loadWeightRepoExpectations('bert-safetensors');
    const inputs = expectations.cases.filter((testCase) => testCase.mask_count === 1).map((testCase) => testCase.input);
    const q8 = await createFillMask({
      model: weightRepoPath('bert-safetensors'),
      dtype: 'q8',
      backend: createOnnxBackend({ builtGraphCache: cache }),
    });
    const fp32 = await createFillMask({
      model: weightRepoPath('bert-safetensors'),
      backend: createOnnxBackend({ builtGraphCache: cache }),
    });
    try {
      const quantized = await q8.fill(inputs, { topK: 5 });
      const exact = await fp32.fill(inputs, { topK: 5 });
      // One at a time: batching does not change a q8 answer (each input is quantized on its own).
      for (const [index, input] of inputs.entries()) expect(await q8.fill(input, { topK: 5 })).toEqual(quantized[index]);
      // int8 weights move scores a little: the top answer stays where fp32's leads clearly.
      let clear = 0;
      for (const [index, [predictions]] of exact.entries()) {
        if (predictions[0].score - predictions[1].score < 0.01) continue;
        clear += 1;
        expect(quantized[index][0][0].token, inputs[index]).toBe(predictions[0].token);
      }
      expect(clear).toBeGreaterThan(3);
    } finally {
      await q8.dispose();
      await fp32.dispose();
    }
  });
});

describe('weights-only repositories: typed errors', () => {
  /** A copy of a fixture repository with one file replaced. */
  async function repoWith(repo: WeightRepo, file: string, bytes: Uint8Array): Promise<string> {
    const folder = await mkdtemp(join(tmpdir(), 'fillmask-bad-repo-'));
    await cp(weightRepoPath(repo), folder, { recursive: true });
    await writeFile(join(folder, file), bytes);
    return folder;
  }

  it('a truncated model.safetensors: InvalidModelFileError naming the file', async () => {
    const whole = await readFile(join(weightRepoPath('bert-safetensors'), 'model.safetensors'));
    const folder = await repoWith('bert-safetensors', 'model.safetensors', whole.subarray(0, whole.length >> 1));
    try {
      const error = await createFillMask({ model: folder, backend: createOnnxBackend({ builtGraphCache: false }) }).catch(
        (caught: unknown) => caught,
      );
      expect(InvalidModelFileError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidModelFileError).message).toContain('model.safetensors');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a pytorch_model.bin whose pickle names a foreign global: refused, nothing executed', async () => {
    const marker = join(tmpdir(), `fillmask-pickle-ran-${process.pid}`);
    // protocol 2: GLOBAL os.system, ('touch <marker>',), REDUCE, STOP
    const command = `touch ${marker}`;
    const pickle = Buffer.concat([
      Buffer.from([0x80, 0x02]),
      Buffer.from('cos\nsystem\n', 'latin1'),
      Buffer.from([0x58]),
      Buffer.from(new Uint32Array([command.length]).buffer),
      Buffer.from(command, 'latin1'),
      Buffer.from([0x85, 0x52, 0x2e]),
    ]);
    const folder = await repoWith('bert-legacy-bin', 'pytorch_model.bin', pickle);
    try {
      const error = await createFillMask({ model: folder, backend: createOnnxBackend({ builtGraphCache: false }) }).catch(
        (caught: unknown) => caught,
      );
      expect(InvalidModelFileError.isInstance(error), String(error)).toBe(true);
      expect((error as InvalidModelFileError).message).toContain('pytorch_model.bin');
      expect((error as InvalidModelFileError).message).toContain('os.system');
      expect(existsSync(marker)).toBe(false);
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });

  it('a model type the builder does not know: UnsupportedModelError naming it and what is supported', async () => {
    const error = await createFillMask({
      model: weightRepoPath('unsupported-arch'),
      backend: createOnnxBackend({ builtGraphCache: cache }),
    }).catch((caught: unknown) => caught);
    expect(UnsupportedModelError.isInstance(error), String(error)).toBe(true);
    expect((error as Error).message).toContain('big_bird');
    expect((error as Error).message).toContain('bert');
  });
});
