import { describe, expect, it } from 'vitest';
import { toPipelineOutput, type MaskPredictions } from '@fillmask/core';
import {
  comparePipelineAnswers,
  expectedExportedGraphAnswer,
  exportedGraphScoreTolerance,
  loadExportedGraphAnswers,
  type ExportedGraphVariant,
} from '@fillmask/fixtures';
import { harnessError, harnessValue } from './harness-page.test-helper.js';
import { useHarnessPage } from './harness-session.test-helper.js';

// The exported graphs at the edges of backend-onnx's exported-graphs parity test, in headless Chromium
// on the web backend (wasm): ConvBERT (answers that depend on padding), ids past the tokenizer's
// vocabulary, the q8 batch variant of dynamo exports, MPNet's limit. Every case in one call (padded
// batches) and each alone, against Python's answers: ids, token_str and sequence equal, scores within
// the Node test's tolerance or 1e-4, whichever is larger (WebAssembly's kernels sum in another order).

const variants: readonly ExportedGraphVariant[] = [
  'convbert',
  'nomic_bert',
  'deberta-v2',
  'modernbert',
  'bert-dynamo',
  'deberta-v2-dynamo',
];

const harnessPage = useHarnessPage();

describe("exported graphs at the edges, in Chromium (wasm): Python's answers", () => {
  for (const variant of variants) {
    for (const dtype of ['fp32', 'q8'] as const) {
      it(`${variant} ${dtype}`, async () => {
        const page = harnessPage();
        const answers = loadExportedGraphAnswers(variant);
        const tolerance = Math.max(exportedGraphScoreTolerance(answers, dtype), 1e-4);
        const id = `${variant}-${dtype}`;
        await harnessValue(page, 'open', id, { model: `/exported-graphs/${variant}/`, dtype, debug: true });
        try {
          const plain = answers.cases.filter((testCase) => !testCase.targets);
          const batched = (await harnessValue(
            page,
            'fill',
            id,
            plain.map((testCase) => testCase.input),
            { topK: 5 },
          )) as MaskPredictions[][];
          for (const [index, testCase] of plain.entries()) {
            const alone = (await harnessValue(page, 'fill', id, testCase.input, { topK: 5 })) as MaskPredictions[];
            for (const [mode, result] of [
              ['batched', batched[index]],
              ['alone', alone],
            ] as const) {
              const compared = comparePipelineAnswers(toPipelineOutput(result), expectedExportedGraphAnswer(testCase, answers, dtype));
              expect(compared.actual, `${id} ${mode} ${testCase.id}`).toEqual(compared.expected);
              expect(compared.largestScoreGap, `${id} ${mode} ${testCase.id}`).toBeLessThanOrEqual(tolerance);
            }
          }
          const lines = await harnessValue(page, 'takeDebugLines', id);
          expect(lines.filter((line) => line.includes('did not load'))).toEqual([]);
          if (variant === 'convbert') expect(lines.some((line) => line.includes('convolutions read neighbouring positions'))).toBe(true);
        } finally {
          await harnessValue(page, 'dispose', id);
        }
      });
    }
  }

  it('mpnet without model_max_length: the limit from its position table, and a typed error one token past it', async () => {
    const page = harnessPage();
    const answers = loadExportedGraphAnswers('mpnet-no-max-length');
    const opened = await harnessValue(page, 'open', 'mpnet', { model: '/exported-graphs/mpnet-no-max-length/' });
    try {
      expect(opened.maxLength).toBe(answers.input_too_long.limit);
      const error = await harnessError(page, 'fill', 'mpnet', answers.input_too_long.input);
      expect(error.name).toBe('FillMask_InputTooLongError');
      expect(error.message).toContain(`at most ${answers.input_too_long.limit}`);
    } finally {
      await harnessValue(page, 'dispose', 'mpnet');
    }
  });
});
