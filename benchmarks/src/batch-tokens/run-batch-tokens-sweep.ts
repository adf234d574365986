import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { createFillMask, type FillMask, type ModelDtype } from '@fillmask/core';
import { batchTokensForThreads } from '@fillmask/onnx';
import { evalFiles, maskedSentences } from '../bench-inputs.js';
import { timed } from '../statistics.js';
import { turnOrder } from '../turn-order.js';
import { benchmarkEnvironment } from '../write-results.js';
import { batchSettings } from './batch-settings.js';
import { writeSweepResults, type SweepCase } from './sweep-results.js';

/**
 * `npm run bench -- --batch-tokens`: the throughput of `fill(array)` at each token budget, and with a
 * row count alone, at each thread count: the measurements behind `batchTokensForThreads`.
 */
export async function runBatchTokensSweep(argv: readonly string[], root: string): Promise<void> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      model: { type: 'string', default: join(root, 'bench-models', 'bench-distilroberta') },
      dtype: { type: 'string', default: 'fp32,q8' },
      threads: { type: 'string', default: '1,2' },
      budgets: { type: 'string', default: '128,256,512,1024,2048' },
      sentences: { type: 'string', default: '256' },
      rounds: { type: 'string', default: '3' },
      seed: { type: 'string', default: '1' },
      corpus: { type: 'string', default: join(root, 'benchmarks', 'corpus') },
      output: { type: 'string', default: join(root, 'benchmarks', 'batch-tokens') },
    },
  });
  const list = (text: string) => text.split(',').map((item) => item.trim());
  const rounds = Number(values.rounds);
  const seed = Number(values.seed);
  const threadCounts = list(values.threads).map(Number);
  const settings = batchSettings(list(values.budgets).map(Number), 32);
  const cases: SweepCase[] = [];
  for (const dtype of list(values.dtype) as ModelDtype[]) {
    for (const threads of threadCounts) {
      const loaded: Array<{ label: string; fillMask: FillMask }> = [];
      for (const setting of settings) {
        const fillMask = await createFillMask({
          model: values.model,
          dtype,
          batchSize: setting.batchSize,
          maxBatchTokens: setting.maxBatchTokens,
          backend: createOnnxBackend({ sessionOptions: { intraOpNumThreads: threads } }),
          onWarning: () => undefined,
        });
        loaded.push({ label: setting.label, fillMask });
      }
      const sentences = maskedSentences(evalFiles(values.corpus), Number(values.sentences), loaded[0].fillMask.maskToken);
      // Warm-up: every session runs once, its q8 batch variant opened.
      for (const { fillMask } of loaded) await fillMask.fill(sentences.slice(0, 16));
      const perSecond = new Map(loaded.map(({ label }) => [label, [] as number[]]));
      for (let round = 0; round < rounds; round++) {
        for (const { label, fillMask } of turnOrder(loaded, seed, round)) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          const ms = await timed(() => fillMask.fill(sentences));
          perSecond.get(label)!.push(sentences.length / (ms / 1000));
          console.log(
            `${dtype} ${threads} threads, round ${round + 1}: ${label} ${(sentences.length / (ms / 1000)).toFixed(1)} sentences/s`,
          );
        }
      }
      for (const { label, fillMask } of loaded) {
        cases.push({ dtype, threads, setting: label, sentencesPerSecond: perSecond.get(label)! });
        await fillMask.dispose();
      }
    }
  }
  writeSweepResults(
    {
      date: new Date().toISOString(),
      model: values.model.startsWith(root) ? values.model.slice(root.length) : values.model,
      sentences: Number(values.sentences),
      rounds,
      cases,
      defaults: Object.fromEntries(threadCounts.map((threads) => [threads, batchTokensForThreads(threads)])),
      arguments: argv,
    },
    benchmarkEnvironment(),
    values.output,
  );
  console.log(`wrote ${join(values.output, 'results.md')}`);
}
