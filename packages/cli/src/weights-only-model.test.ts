import { spawn } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadWeightRepoExpectations, weightRepoPath } from '@fillmask/fixtures';
import { bin, fillmask } from './cli.test-helper.js';

// Every command on a model as most Hub repositories publish it: config.json, pytorch_model.bin and
// vocab.txt, no ONNX export, no tokenizer.json. The graph is built from the weights and kept in the
// built-graph cache ($FILLMASK_CACHE); the answers are Python's pipeline's on the same folder.

const model = weightRepoPath('bert-vocab-only');
const expectations = loadWeightRepoExpectations('bert-vocab-only');
const single = expectations.cases.find((testCase) => testCase.id === 'single')!;
const expectedTop = (single.result as Array<{ token_str: string; score: number }>)[0];
let cache: string;
let env: Record<string, string>;

beforeAll(async () => {
  cache = await mkdtemp(join(tmpdir(), 'fillmask-cli-cache-'));
  env = { FILLMASK_CACHE: cache };
});
afterAll(async () => {
  await rm(cache, { recursive: true, force: true });
});

describe('the CLI on a weights-only model', () => {
  it("fill: Python's top answer", async () => {
    const run = await fillmask(['-m', model, '--json', '-k', '1', single.input], { env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [prediction] = JSON.parse(run.stdout);
    expect(prediction.token_str).toBe(expectedTop.token_str);
    expect(Math.abs(prediction.score - expectedTop.score)).toBeLessThanOrEqual(1e-4);
  });

  it('score and eval run on it', async () => {
    const score = await fillmask(['score', '-m', model, '--jsonl', 'The capital of France is Paris.'], { env });
    expect(score.code).toBe(0);
    const [line] = score.stdout
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text));
    expect(Number.isFinite(line.pll) && line.pll < 0).toBe(true);
    const evaluation = await fillmask(['eval', '-m', model, '--jsonl', 'The capital of France is Paris.', 'She opened the door.'], { env });
    expect(evaluation.code).toBe(0);
    expect(evaluation.stdout.trim().split('\n').length).toBeGreaterThan(0);
  });

  it('serve answers over HTTP', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '-m', model, '--model-id', 'org/bert-vocab-only'], {
      env: { ...process.env, ...env },
      stdio: 'pipe',
    });
    try {
      let stderr = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stderr.on('data', (chunk) => {
          stderr += chunk;
          const match = /serving .* on (http:\/\/[^\s,]+)/.exec(stderr);
          if (match) resolve(match[1]);
        });
        child.on('exit', (code) => reject(new Error(`fillmask serve exited ${code}: ${stderr}`)));
      });
      const response = await fetch(url, { method: 'POST', body: JSON.stringify({ inputs: single.input, parameters: { top_k: 1 } }) });
      expect(response.status).toBe(200);
      const [prediction] = (await response.json()) as Array<{ token_str: string; score: number }>;
      expect(prediction.token_str).toBe(expectedTop.token_str);
      expect(Math.abs(prediction.score - expectedTop.score)).toBeLessThanOrEqual(1e-4);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('a model type it cannot build, and a truncated weights file: a typed message naming what is wrong, exit 1', async () => {
    const unsupported = await fillmask(['-m', weightRepoPath('unsupported-arch'), 'a [MASK].'], { env });
    expect(unsupported.code).toBe(1);
    expect(unsupported.stderr).toContain('cannot be used for fill-mask: its graph cannot be built from model_type "big_bird"');
    expect(unsupported.stderr).not.toContain('    at ');

    const folder = await mkdtemp(join(tmpdir(), 'fillmask-truncated-'));
    try {
      await cp(model, folder, { recursive: true });
      const whole = await readFile(join(model, 'pytorch_model.bin'));
      await writeFile(join(folder, 'pytorch_model.bin'), whole.subarray(0, whole.length >> 1));
      const truncated = await fillmask(['-m', folder, 'a [MASK].'], { env });
      expect(truncated.code).toBe(1);
      expect(truncated.stderr).toContain('pytorch_model.bin');
      expect(truncated.stderr).not.toContain('    at ');
    } finally {
      await rm(folder, { recursive: true, force: true });
    }
  });
});
