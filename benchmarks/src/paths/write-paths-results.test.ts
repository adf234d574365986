import { describe, expect, it } from 'vitest';
import { testEnvironment } from '../benchmark-environment.test-helper.js';
import { summarizeDtype, type ContenderRun, type DtypeRuns } from './paths-summary.js';
import { pathsResultsMarkdown, type PathsReport } from './write-paths-results.js';

const environment = testEnvironment();
const runs = (wallMs: readonly number[], extra: Partial<ContenderRun> = {}): ContenderRun[] =>
  wallMs.map((ms, round) => ({ round, wallMs: ms, peakRssBytes: 900 * 2 ** 20, ...extra }));
const fp32: DtypeRuns = {
  dtype: 'fp32',
  runs: {
    'fillmask-fill': runs([10_000, 10_000]),
    'fillmask-fill-two': runs([2000, 2000]),
    'transformers.js-fill': runs([45_000, 41_000], { marks: { imported: 400, loaded: 3400, done: 42_600 } }),
    'fillmask-score': runs([8000, 8000]),
    'fillmask-score-one': runs([2500, 2500]),
    'onnxruntime-pll': runs([16_000, 20_000], { marks: { imported: 700, loaded: 3700, done: 17_700 } }),
    'fillmask-serve': runs([12_000, 12_000], {
      serve: {
        readyMs: 2200,
        requestsMs: 8000,
        forwardPasses: 20,
        forwardPassRows: 512,
        forwardPassTokens: 9000,
        forwardPassPaddedTokens: 10_000,
        serverCpuMs: 14_000,
        clientsCpuMs: 1500,
      },
    }),
  },
  firstLoad: { wallMs: 3500, peakRssBytes: 1000 * 2 ** 20 },
  agreement: {
    cli: { inputs: 512, sameRanking: 511, tiedRanking: 1, sameTop1: 512, maxScoreDifference: 2e-7 },
    score: { texts: 48, tokenCountDifferences: 0, maxRelativeDifference: 6e-8, maxAbsoluteDifference: 1.5e-5 },
    serve: { inputs: 512, sameRanking: 512, tiedRanking: 0, sameTop1: 512, maxScoreDifference: 0 },
  },
};
const report: PathsReport = {
  date: '2026-12-07T16:00:00.000Z',
  durationSeconds: 900,
  arguments: ['--rounds', '2'],
  model: '/repo/bench-models/bench-distilroberta',
  threads: 2,
  rounds: 2,
  seed: 1,
  sentences: 512,
  scoreSentences: 48,
  clients: 50,
  loadAverage: { start: [0.1, 0.2, 0.3], end: [1.9, 1.5, 0.8] },
  dtypes: [{ ...fp32, summary: summarizeDtype(fp32, 512) }],
};

describe('pathsResultsMarkdown', () => {
  const markdown = pathsResultsMarkdown(report, environment);

  it('says how, on what and under what load the run was made', () => {
    expect(markdown).toContain('`npm run bench -- --paths --rounds 2`, 15.0 minutes, on Test CPU (AVX2, no VNNI), 2 logical cores');
    expect(markdown).toContain('load average 0.10, 0.20, 0.30 when it started, 1.90, 1.50, 0.80 when it ended');
    expect(markdown).toContain('onnxruntime-node 1.30.0, @huggingface/transformers 4.3.1');
    expect(markdown).toContain('2 rounds;');
    expect(markdown).toContain('the peers are given 2');
  });

  it('gives each path its medians, the peer over fillmask and the goal', () => {
    const rows = markdown.split('\n').filter((line) => line.startsWith('| `fillmask'));
    expect(rows[0]).toContain('| fp32 | 10.00 (10.00–10.00) | 43.00 (41.00–45.00) | **4.30×** by round 4.30× (4.20×–4.40×) | met: ≥ 4× |');
    expect(rows[1]).toContain(
      '| fp32 | 8.00 (8.00–8.00) | 18.00 (16.00–20.00) | **2.25×** by round 2.25× (2.13×–2.38×) | not met: ≥ 2.5× |',
    );
    // serve: 64 sentences/s; the CLI 510 / 8 s without load, 512 / 10 s whole.
    expect(markdown).toContain('| fp32 | 64.0 | 63.8 | 51.2 | **1.00×** by round 1.00× (1.00×–1.00×) | 1.25× | met: ≥ 0.9× |');
  });

  it('splits the times into their steps and gives the agreement of the answers', () => {
    expect(markdown).toContain(
      'fillmask 10.00 s, of which a run on the first 2 sentences takes 2.00 s (start, import, load, one batch) (the first such run, before any graph was prepared and kept, 3.50 s, peak RSS 1000 MiB); peak RSS 900 MiB',
    );
    expect(markdown).toContain('transformers.js 43.00 s: import 0.40 s, pipeline load 3.00 s, 512 sentences 39.20 s; peak RSS 900 MiB');
    expect(markdown).toContain('8.00 s for the requests, in which the server used 14.00 s of CPU and the clients 1.50 s (medians)');
    expect(markdown).toContain('25.6 inputs per forward pass in the median run, padding 10.0% of the tokens computed');
    expect(markdown).toContain('the same candidates in the same order for 511 of 512 inputs, and but for tied scores for 1 more');
    expect(markdown).toContain('PLL within 6.0e-8 relative (1.5e-5 nats) at most; the same tokens scored in every text');
  });
});
