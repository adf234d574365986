import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, InputTooLongError, toPipelineOutput, type FillMask, type MaskPredictions } from '@fillmask/core';
import {
  comparePipelineAnswers,
  expectedExportedGraphAnswer,
  exportedGraphPath,
  exportedGraphScoreTolerance,
  exportedGraphVariants,
  loadExportedGraphAnswers,
  type ComparablePrediction,
  type ExportedGraphAnswers,
  type ExportedGraphCase,
} from '@fillmask/fixtures';
import { createOnnxBackend } from './create-onnx-backend.js';

// Masked LMs of every architecture fillmask runs, exported to ONNX as Optimum exports them (TorchScript
// opset 14, opset 17, the dynamo exporter, onnxruntime's transformer optimizer) and quantized as
// transformers.js quantizes them, against Python's answers on the same folders: fp32 against the torch
// pipeline (scores within the recorded torch-vs-ONNX difference + 1e-5), q8 against the pipeline's
// postprocessing of onnxruntime-python's logits, one input at a time (within 1e-5). Every case in one
// call (batched and padded), each case alone, and with batchSize 1 must all give Python's answers.

const dtypes = ['fp32', 'q8'] as const;
type Dtype = (typeof dtypes)[number];

function options(testCase: ExportedGraphCase) {
  return { topK: 5, ...(testCase.targets ? { targets: testCase.targets } : {}) };
}

/** Each case's result in one `fill(array)` call; cases with targets (a per-call option) in a call of their own. */
async function fillInOneCall(fillMask: FillMask, cases: readonly ExportedGraphCase[]): Promise<MaskPredictions[][]> {
  const plain = cases.filter((testCase) => !testCase.targets);
  const batched = await fillMask.fill(
    plain.map((testCase) => testCase.input),
    { topK: 5 },
  );
  const results = new Map(plain.map((testCase, index) => [testCase, batched[index]]));
  for (const testCase of cases.filter((entry) => entry.targets)) {
    const [result] = await fillMask.fill([testCase.input], options(testCase));
    results.set(testCase, result);
  }
  return cases.map((testCase) => results.get(testCase)!);
}

/** Every case against Python's answer: ids, token_str and sequence equal (one diff lists every case that differs), scores within the tolerance. */
function expectPythonAnswers(results: readonly MaskPredictions[][], answers: ExportedGraphAnswers, dtype: Dtype, label: string): void {
  const actual: Record<string, ComparablePrediction[][]> = {};
  const expected: Record<string, ComparablePrediction[][]> = {};
  let worst = { gap: 0, id: '' };
  for (const [index, testCase] of answers.cases.entries()) {
    const compared = comparePipelineAnswers(toPipelineOutput(results[index]), expectedExportedGraphAnswer(testCase, answers, dtype));
    actual[testCase.id] = compared.actual;
    expected[testCase.id] = compared.expected;
    if (!(compared.largestScoreGap <= worst.gap)) worst = { gap: compared.largestScoreGap, id: testCase.id };
  }
  expect(actual, `${label}: ids, token_str, sequence`).toEqual(expected);
  expect(worst.gap, `${label}: largest score difference (case ${worst.id})`).toBeLessThanOrEqual(
    exportedGraphScoreTolerance(answers, dtype),
  );
}

for (const variant of exportedGraphVariants) {
  for (const dtype of dtypes) {
    describe(`exported graph ${variant} ${dtype}: Python's answers`, () => {
      const answers = loadExportedGraphAnswers(variant);
      const debug: string[] = [];
      let fillMask: FillMask;
      beforeAll(async () => {
        fillMask = await createFillMask({
          model: exportedGraphPath(variant),
          dtype,
          backend: createOnnxBackend({ onDebug: (message) => debug.push(message) }),
          onWarning: () => undefined,
        });
      });
      afterAll(() => fillMask?.dispose());

      it('every case in one fill call (default batching), and the q8 batch variant never fails at run time', async () => {
        expectPythonAnswers(await fillInOneCall(fillMask, answers.cases), answers, dtype, `${variant} ${dtype} one call`);
        // A batch variant that loaded but failed would fall back to one input at a time, with this debug line.
        expect(debug.filter((line) => line.includes('did not load'))).toEqual([]);
      });

      it('each case alone', async () => {
        const results: MaskPredictions[][] = [];
        for (const testCase of answers.cases) results.push(await fillMask.fill(testCase.input, options(testCase)));
        expectPythonAnswers(results, answers, dtype, `${variant} ${dtype} alone`);
      });

      // 1: one input per forward pass; 32: batches even where the default is 1 (an int8 graph with no batch variant).
      for (const batchSize of [1, 32]) {
        it(`every case in one fill call with batchSize ${batchSize}`, async () => {
          const sized = await createFillMask({
            model: exportedGraphPath(variant),
            dtype,
            batchSize,
            backend: createOnnxBackend(),
            onWarning: () => undefined,
          });
          try {
            expectPythonAnswers(await fillInOneCall(sized, answers.cases), answers, dtype, `${variant} ${dtype} batchSize ${batchSize}`);
          } finally {
            await sized.dispose();
          }
        });
      }

      it(`an input one token past the limit: InputTooLongError naming the limit (${answers.input_too_long.limit})`, async () => {
        const { input, length, limit } = answers.input_too_long;
        expect(fillMask.maxLength).toBe(limit);
        const error = await fillMask.fill(input).then(
          () => 'answered',
          (caught: unknown) => caught,
        );
        expect(InputTooLongError.isInstance(error), String(error)).toBe(true);
        expect((error as InputTooLongError).limit).toBe(limit);
        expect((error as InputTooLongError).length).toBe(length);
        expect((error as InputTooLongError).message).toContain(`at most ${limit}`);
      });
    });
  }
}

// onnxruntime logs from native code straight to file descriptor 2, which a test cannot capture in its
// own process: a child node process (loading the TypeScript sources through Vite's module runner with
// the source and node conditions, as vitest does) loads every variant in both dtypes and fills every
// case in one call and alone, writing a marker line to stderr before each job and the job's outcome
// to stdout; the parent splits its stderr at the markers.
const root = fileURLToPath(new URL('../../..', import.meta.url));
const backendEntry = fileURLToPath(new URL('./create-onnx-backend.ts', import.meta.url));
const childScript = `
import { createServer, createServerModuleRunner, defaultServerConditions } from 'vite';
const [jobs, root, backendEntry] = [JSON.parse(process.argv[1]), process.argv[2], process.argv[3]];
const sourceConditions = { conditions: ['@fillmask/source', ...defaultServerConditions] };
const server = await createServer({
  configFile: false, root, logLevel: 'silent', appType: 'custom',
  server: { middlewareMode: true, hmr: false, ws: false },
  resolve: sourceConditions,
  ssr: { resolve: { ...sourceConditions, externalConditions: ['@fillmask/source'] } },
});
const runner = createServerModuleRunner(server.environments.ssr, { hmr: false });
const { createFillMask } = await runner.import('@fillmask/core');
const { exportedGraphPath, loadExportedGraphAnswers } = await runner.import('@fillmask/fixtures');
const { createOnnxBackend } = await runner.import(backendEntry);
for (const [variant, dtype] of jobs) {
  process.stderr.write('\\n@@job ' + variant + ' ' + dtype + '\\n');
  try {
    const { cases } = loadExportedGraphAnswers(variant);
    const fillMask = await createFillMask({ model: exportedGraphPath(variant), dtype, backend: createOnnxBackend(), onWarning: () => undefined });
    try {
      await fillMask.fill(cases.filter((entry) => !entry.targets).map((entry) => entry.input), { topK: 5 });
      for (const entry of cases) await fillMask.fill(entry.input, { topK: 5, ...(entry.targets ? { targets: entry.targets } : {}) });
    } finally {
      await fillMask.dispose();
    }
    process.stdout.write(JSON.stringify({ variant, dtype, filled: true }) + '\\n');
  } catch (error) {
    process.stdout.write(JSON.stringify({ variant, dtype, threw: String(error) }) + '\\n');
  }
}
await runner.close();
await server.close();
process.stderr.write('\\n@@done\\n');
`;

describe('exported graphs: onnxruntime writes no error to stderr while loading and filling', () => {
  const jobs = exportedGraphVariants.flatMap((variant) => dtypes.map((dtype) => ({ variant, dtype })));
  const stderrOf = new Map<string, string>();
  /** Per job: 'filled', or what the load or a fill threw. */
  const outcome = new Map<string, string>();
  let child = { code: null as number | null, stderr: '', finished: false };

  beforeAll(async () => {
    child = await new Promise((resolve, reject) => {
      const process_ = spawn(
        process.execPath,
        ['--input-type=module', '-e', childScript, JSON.stringify(jobs.map(({ variant, dtype }) => [variant, dtype])), root, backendEntry],
        {
          cwd: root,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let stdout = '';
      let stderr = '';
      process_.stdout.on('data', (chunk) => {
        stdout += chunk;
      });
      process_.stderr.on('data', (chunk) => {
        stderr += chunk;
      });
      process_.on('error', reject);
      process_.on('close', (code) => {
        for (const line of stdout.split('\n').filter((entry) => entry.startsWith('{'))) {
          const { variant, dtype, filled, threw } = JSON.parse(line) as { variant: string; dtype: string; filled?: true; threw?: string };
          outcome.set(`${variant} ${dtype}`, filled ? 'filled' : `threw ${threw}`);
        }
        resolve({ code, stderr, finished: stderr.includes('\n@@done\n') });
      });
    });
    for (const segment of child.stderr.split('\n@@job ').slice(1)) {
      const newline = segment.indexOf('\n');
      stderrOf.set(segment.slice(0, newline), segment.slice(newline + 1).replace(/\n@@done\n[\s\S]*$/, ''));
    }
  }, 900_000);

  for (const { variant, dtype } of jobs) {
    it(`${variant} ${dtype}`, () => {
      const key = `${variant} ${dtype}`;
      expect(stderrOf.has(key), `the child never reached ${key} (exit ${child.code}): ${child.stderr.slice(-2000)}`).toBe(true);
      const output = stderrOf.get(key)!;
      const errors = output.split('\n').filter((line) => line.includes('[E:onnxruntime'));
      expect(errors, `onnxruntime's stderr for ${key}:\n${output}`).toEqual([]);
      // An observation only counts if the child loaded the model and filled every case.
      expect(outcome.get(key), `the child's load and fills of ${key}`).toBe('filled');
    });
  }

  it('the child process ran every job to the end', () => {
    expect({ code: child.code, finished: child.finished }, child.stderr.slice(-2000)).toEqual({ code: 0, finished: true });
  });
});
