import { describe, expect, it } from 'vitest';
import type { ContenderRun, DtypeRuns } from './paths-summary.js';
import { summarizeDtype } from './paths-summary.js';

const runs = (...wallMs: number[]): ContenderRun[] => wallMs.map((ms, round) => ({ round, wallMs: ms }));
const serveRun = (round: number, requestsMs: number, rows: number, passes: number, paddedTokens: number): ContenderRun => ({
  round,
  wallMs: requestsMs + 3000,
  serve: {
    readyMs: 2000 + round,
    requestsMs,
    forwardPasses: passes,
    forwardPassRows: rows,
    forwardPassTokens: 8 * rows,
    forwardPassPaddedTokens: paddedTokens,
  },
});

describe('summarizeDtype', () => {
  it("gives the peer's time over fillmask's, of the medians and round by round, against the dtype's goal", () => {
    const summary = summarizeDtype(
      {
        dtype: 'q8',
        runs: { 'fillmask-fill': runs(10_000, 12_000, 11_000), 'transformers.js-fill': runs(40_000, 36_000, 44_000) },
        agreement: {},
      },
      512,
    );
    expect(summary.cli!.ratio).toBeCloseTo(40 / 11, 9);
    expect(summary.cli!.goal).toBe(3.5);
    expect(summary.cli!.fillmaskMs.median).toBe(11_000);
    // 4, 3 and 4 round by round.
    expect(summary.cli!.ratioByRound).toMatchObject({ median: 4, min: 3, max: 4 });
    expect(summary.score).toBeUndefined();
    expect(summary.serve).toBeUndefined();
  });

  it('compares score with its one-text run beside it', () => {
    const summary = summarizeDtype(
      {
        dtype: 'fp32',
        runs: { 'fillmask-score': runs(8000), 'fillmask-score-one': runs(2000), 'onnxruntime-pll': runs(24_000) },
        agreement: {},
      },
      512,
    );
    expect(summary.score).toMatchObject({ ratio: 3, goal: 2.5 });
    expect(summary.score!.fillmaskOneMs.median).toBe(2000);
  });

  it("sets serve's throughput against the CLI's, whole and without the short run's time, with its batches", () => {
    const dtypeRuns: DtypeRuns = {
      dtype: 'fp32',
      runs: {
        'fillmask-serve': [serveRun(0, 8000, 512, 20, 4500), serveRun(1, 10_000, 512, 16, 4400), serveRun(2, 9000, 512, 32, 5120)],
        'fillmask-fill': runs(12_000, 12_000, 12_000),
        'fillmask-fill-two': runs(3000, 3000, 3000),
      },
      agreement: {},
    };
    const serve = summarizeDtype(dtypeRuns, 512).serve!;
    expect(serve.throughput.serve).toBeCloseTo(512 / 9, 9);
    expect(serve.throughput.cliWhole).toBeCloseTo(512 / 12, 9);
    // The 510 sentences after the short run's two in 9 s.
    expect(serve.throughput.cliExcludingLoad).toBeCloseTo(510 / 9, 9);
    expect(serve.ratioExcludingLoad).toBeCloseTo(512 / 510, 9);
    expect(serve.ratioWhole).toBeCloseTo(12 / 9, 9);
    // 9/8, 9/10, 9/9 round by round, for 512 sentences against 510.
    const perSentence = 512 / 510;
    expect(serve.ratioExcludingLoadByRound.median).toBeCloseTo(perSentence, 9);
    expect(serve.ratioExcludingLoadByRound.min).toBeCloseTo(0.9 * perSentence, 9);
    expect(serve.ratioExcludingLoadByRound.max).toBeCloseTo(1.125 * perSentence, 9);
    expect(serve.serveReadyMs.median).toBe(2001);
    // The median run (9 s): 32 passes of 16 inputs on average, 4096 tokens of 5120 computed (20% padding).
    expect(serve.meanPassRows).toBe(16);
    expect(serve.paddingShare).toBeCloseTo(0.2, 9);
    expect(serve.goal).toBe(0.9);
  });
});
