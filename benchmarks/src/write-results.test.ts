import { describe, expect, it } from 'vitest';
import { testEnvironment } from './benchmark-environment.test-helper.js';
import type { Summary } from './statistics.js';
import { resultsMarkdown, type BenchmarkCase, type BenchmarkReport } from './write-results.js';

const summary = (median: number, min: number, max: number): Summary => ({
  median,
  min,
  max,
  lowerQuartile: (min + median) / 2,
  upperQuartile: (median + max) / 2,
  samples: 3,
});
const environment = testEnvironment();
const distilrobertaFp32: BenchmarkCase = {
  model: '/models/bench-distilroberta',
  dtype: 'fp32',
  sentences: 512,
  latencyTokens: 18,
  latencyMs: { fillmask: summary(20, 18, 30), 'transformers.js': summary(40, 35, 50), onnxruntime: summary(30, 28, 33) },
  latencyRatiosByRound: { 'transformers.js': summary(0.52, 0.4, 0.6), onnxruntime: summary(0.7, 0.6, 0.9) },
  throughput: { fillmask: summary(60, 55, 61), 'transformers.js': summary(20, 19, 21), onnxruntime: summary(22, 21, 23) },
  peakRssBytes: { fillmask: 1024 * 2 ** 20, 'transformers.js': 4096 * 2 ** 20, onnxruntime: 4000 * 2 ** 20 },
  gflops: { fillmask: 62, 'transformers.js': 93 },
};
const report: BenchmarkReport = {
  date: '2026-11-25T21:10:33.000Z',
  threads: 2,
  rounds: 3,
  latencyRuns: 30,
  callsPerTurn: 3,
  seed: 1,
  gemmGflops: 124,
  weightStreamingGBps: 25.5,
  cases: [distilrobertaFp32],
};

describe('resultsMarkdown', () => {
  const markdown = resultsMarkdown(report, environment);
  const rows = markdown.split('\n').filter((line) => line.startsWith('| bench-distilroberta'));

  it('says when, on what and how the run was made', () => {
    expect(markdown).toContain('Run 2026-11-25 21:10 UTC by `npm run bench` on Test CPU (AVX2, no VNNI), 2 logical cores, 24 GiB;');
    expect(markdown).toContain('Node v20.20.2, onnxruntime-node 1.30.0, @huggingface/transformers 4.3.1, fillmask 0.1.0.');
    expect(markdown).toContain('latency over 30 calls with one sentence, 3 per turn after one untimed call');
    expect(markdown).toContain('shuffled by seed 1');
    expect(markdown).toContain('fp32 GEMM **124.0 GFLOP/s**; fp32 weights read by a one-row product **25.5 GB/s**');
    const withArguments = resultsMarkdown({ ...report, arguments: ['--dtype', 'fp32', '--convolutions'] }, environment);
    expect(withArguments).toContain('UTC by `npm run bench -- --dtype fp32 --convolutions` on Test CPU');
    expect(markdown).toContain(
      "on this CPU (x64 without VNNI), so fillmask's defaults take its exact u8×u8 kernel (`session.x64quantprecision`).",
    );
    const onVnni = resultsMarkdown(report, { ...environment, int8Instructions: 'VNNI', saturatingInt8: false });
    expect(onVnni).toContain('on this CPU the fast kernel is exact and all three use it.');
    expect(onVnni).not.toContain("so fillmask's defaults take");
  });

  it('gives each measure a row with medians, ranges and the ratio of medians to the peer; latency also by round', () => {
    expect(rows).toEqual([
      "| bench-distilroberta | fp32 | latency, one sentence of 18 tokens (ms) | 20.0 (18.0–30.0) | 40.0 (35.0–50.0) | 30.0 (28.0–33.0) | **0.50×** time; by round 0.52× (0.46–0.56), and 0.70× (0.65–0.80) of the bare run's |",
      '| bench-distilroberta | fp32 | throughput, 512 sentences (sentences/s) | 60.0 (55.0–61.0) | 20.0 (19.0–21.0) | 22.0 (21.0–23.0) | **3.00×** speed |',
      '| bench-distilroberta | fp32 | peak RSS (MiB) | 1024 | 4096 | 4000 | 0.25× memory |',
      '| bench-distilroberta | fp32 | achieved GFLOP/s (share of GEMM) | 62.0 (50%) | 93.0 (75%) |  |  |',
    ]);
  });

  it("adds the fp32 latency floor under the latency, with the best ratio it allows and fillmask's distance from it", () => {
    const withFloor: BenchmarkCase = { ...distilrobertaFp32, latencyFloorMs: { fillmask: 16, unmodified: 24 } };
    const markdown = resultsMarkdown({ ...report, cases: [withFloor] }, environment);
    const lines = markdown.split('\n');
    const latency = lines.indexOf(
      "| bench-distilroberta | fp32 | latency, one sentence of 18 tokens (ms) | 20.0 (18.0–30.0) | 40.0 (35.0–50.0) | 30.0 (28.0–33.0) | **0.50×** time; by round 0.52× (0.46–0.56), and 0.70× (0.65–0.80) of the bare run's |",
    );
    expect(lines[latency + 1]).toBe(
      '| bench-distilroberta | fp32 | latency floor of the graph run, one sentence (ms) | 16.0 | 24.0 | 24.0 | 0.40× at best; fillmask at 1.25× its floor |',
    );
    expect(markdown).toContain('Latency floor (fp32): a lower bound');
    expect(markdown).toContain("Latency by round: in each round, fillmask's median over the peer's");
    expect(resultsMarkdown(report, environment)).not.toContain('Latency floor');
  });

  it('adds the same-session-settings rows when the run measured them', () => {
    const withSettings: BenchmarkCase = {
      ...distilrobertaFp32,
      latencyMs: {
        ...distilrobertaFp32.latencyMs,
        'transformers.js-same-settings': summary(32, 30, 34),
        'onnxruntime-same-settings': summary(29, 27, 31),
      },
      throughput: {
        ...distilrobertaFp32.throughput,
        'transformers.js-same-settings': summary(24, 23, 25),
        'onnxruntime-same-settings': summary(25, 24, 26),
      },
    };
    const lines = resultsMarkdown({ ...report, cases: [withSettings] }, environment).split('\n');
    expect(lines).toContain(
      '| bench-distilroberta | fp32 | latency, *same session settings* (ms) | 20.0 (18.0–30.0) | 32.0 (30.0–34.0) | 29.0 (27.0–31.0) | **0.63×** time |',
    );
    expect(lines).toContain(
      '| bench-distilroberta | fp32 | throughput, *same session settings* (sentences/s) | 60.0 (55.0–61.0) | 24.0 (23.0–25.0) | 25.0 (24.0–26.0) | **2.50×** speed |',
    );
  });

  it("adds rows for fillmask's other settings when the run measured them (--convolutions, --spinning, --u8u8)", () => {
    const withSetting: BenchmarkCase = {
      ...distilrobertaFp32,
      latencyMs: { ...distilrobertaFp32.latencyMs, 'fillmask-convolutions-everywhere': summary(19, 17, 29) },
      throughput: { ...distilrobertaFp32.throughput, 'fillmask-convolutions-everywhere': summary(50, 48, 52) },
      peakRssBytes: { ...distilrobertaFp32.peakRssBytes, 'fillmask-convolutions-everywhere': 2048 * 2 ** 20 },
    };
    const lines = resultsMarkdown({ ...report, cases: [withSetting] }, environment)
      .split('\n')
      .filter((line) => line.startsWith('| ') && line.includes('pointwiseConvolutions'));
    expect(lines).toEqual([
      "| bench-distilroberta | fp32 | latency, *fillmask with `pointwiseConvolutions: 'everywhere'`* (ms) | 19.0 (17.0–29.0) | 40.0 (35.0–50.0) | 30.0 (28.0–33.0) | **0.47×** time |",
      "| bench-distilroberta | fp32 | throughput, *fillmask with `pointwiseConvolutions: 'everywhere'`* (sentences/s) | 50.0 (48.0–52.0) | 20.0 (19.0–21.0) | 22.0 (21.0–23.0) | **2.50×** speed |",
      "| bench-distilroberta | fp32 | peak RSS, *fillmask with `pointwiseConvolutions: 'everywhere'`* (MiB) | 2048 | 4096 | 4000 | 0.50× memory |",
    ]);
    const withRatios: BenchmarkCase = {
      ...withSetting,
      settingLatencyRatiosByRound: { 'fillmask-convolutions-everywhere': summary(0.9, 0.8, 1) },
    };
    const markdown = resultsMarkdown({ ...report, cases: [withRatios] }, environment);
    expect(markdown).toContain("| **0.47×** time; by round 0.90× (0.85–0.95) of fillmask's defaults |");
    expect(markdown).toContain("Their latency by round is each round's median over fillmask's defaults' in the same round.");
    const spinning: BenchmarkCase = {
      ...distilrobertaFp32,
      latencyMs: { ...distilrobertaFp32.latencyMs, 'fillmask-spinning-stopped': summary(18, 16, 28) },
      throughput: { ...distilrobertaFp32.throughput, 'fillmask-spinning-stopped': summary(61, 58, 62) },
      peakRssBytes: { ...distilrobertaFp32.peakRssBytes, 'fillmask-spinning-stopped': 1024 * 2 ** 20 },
    };
    expect(resultsMarkdown({ ...report, cases: [spinning] }, environment)).toContain(
      "| bench-distilroberta | fp32 | latency, *fillmask with `force_spinning_stop: '1'`* (ms) | 18.0 (16.0–28.0) | 40.0 (35.0–50.0) | 30.0 (28.0–33.0) | **0.45×** time |",
    );
  });
});
