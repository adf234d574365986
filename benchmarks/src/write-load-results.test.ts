import { describe, expect, it } from 'vitest';
import { testEnvironment } from './benchmark-environment.test-helper.js';
import { summarizeLoadCase, type LoadCaseName, type LoadMark, type LoadReport, type LoadRun } from './load-measures.js';
import { loadResultsMarkdown, medianPeakRun } from './write-load-results.js';

const mib = 2 ** 20;
const environment = testEnvironment({ int8Instructions: 'VNNI', saturatingInt8: false });
const mark = (label: string, ms: number, rss: number, peak = rss): LoadMark => ({
  label,
  ms,
  at: ms,
  rssBytes: rss * mib,
  peakRssBytes: peak * mib,
  anonymousBytes: (rss - 45) * mib,
  fileBytes: 45 * mib,
});
const loaded = (repetition: number, loadMs: number, peak: number, loadedRss: number, extra: LoadMark[] = []): LoadRun => ({
  repetition,
  startupMs: 300,
  loadMs,
  firstFillMs: 100,
  peakRssBytes: peak * mib,
  marks: [mark('start', 0, 60), ...extra, mark('loaded', loadMs, loadedRss, peak), mark('filled', loadMs + 100, loadedRss + 5, peak)],
});
const baseline = (peak: number): LoadRun => ({ repetition: 0, startupMs: 300, peakRssBytes: peak * mib, marks: [mark('start', 0, peak)] });
const built = mark('graph built and written to the cache', 2000, 700);
const runs: Record<LoadCaseName, LoadRun[]> = {
  'fillmask-baseline': [baseline(60)],
  'fillmask-export': [loaded(0, 2000, 860, 520)],
  // One of three keeps the file's and the graph's bytes through the session's creation.
  'fillmask-weights-first': [loaded(0, 4000, 820, 500, [built]), loaded(1, 4200, 840, 510, [built]), loaded(2, 4500, 1480, 1140, [built])],
  'fillmask-weights-cached': [loaded(0, 2500, 870, 520)],
  'transformers.js-baseline': [baseline(80)],
  'transformers.js-export': [loaded(0, 2800, 820, 600)],
};
const report: LoadReport = {
  date: '2026-12-07T06:00:00.000Z',
  threads: 2,
  repetitions: 3,
  seed: 1,
  sentence: 'In the morning the old fisherman walked slowly down to the <mask> with his nets.',
  exportFolder: '/models/bench-distilroberta',
  weightsFolder: '/models/bench-distilroberta-weights/',
  weightsBytes: 300 * mib,
  exportBytes: 301 * mib,
  builtGraphBytes: 300 * mib,
  cases: (Object.keys(runs) as LoadCaseName[]).map((name) => summarizeLoadCase(name, runs[name])),
  transformersJsWeightsError: 'file was not found locally at "/models/bench-distilroberta-weights/onnx/model.onnx".',
  arguments: ['--load', '--repetitions', '3'],
};

describe('loadResultsMarkdown', () => {
  const markdown = loadResultsMarkdown(report, environment);
  const row = (start: string) => markdown.split('\n').find((line) => line.startsWith(`| ${start}`));

  it('says when, on what and how the run was made, and the sizes', () => {
    expect(markdown).toContain(
      'Run 2026-12-07 06:00 UTC by `npm run bench -- --load --repetitions 3` on Test CPU (VNNI), 2 logical cores, 24 GiB;',
    );
    expect(markdown).toContain('Node v20.20.2, onnxruntime-node 1.30.0, @huggingface/transformers 4.3.1, fillmask 0.1.0.');
    expect(markdown).toContain('`bench-distilroberta-weights` (config.json, tokenizer, model.safetensors: **315 MB**, 300 MiB)');
    expect(markdown).toContain('3 repetitions in an order shuffled by seed 1');
  });

  it('gives each load its times, its peak over its own library’s baseline and that over the weights', () => {
    expect(row('fillmask: nothing loaded')).toBe('| fillmask: nothing loaded (baseline) |  |  |  | 60 (60–60) |  |  | 60 (60–60) |');
    expect(row('(a)')).toBe(
      '| (a) fillmask: from the ONNX export | 2000 (2000–2000) | 100 (100–100) | **2100 (2100–2100)** | 860 (860–860) | 800 | **2.67×** | 520 (520–520) |',
    );
    expect(row('(b)')).toBe(
      '| (b) fillmask: from the weights, first load (graph built; empty built-graph cache) | 4200 (4000–4500) | 100 (100–100) | **4300 (4100–4600)** | 840 (820–1480) | 780 | **2.60×** | 510 (500–1140) |',
    );
    expect(row('transformers.js: from the ONNX export')).toContain('| 820 (820–820) | 740 | **2.47×** |');
  });

  it('says transformers.js cannot load the weights-only repo, and why', () => {
    expect(row('transformers.js: from the weights-only')).toContain(
      'it cannot load one: it reads ONNX files only (`file was not found locally at "/models/bench-distilroberta-weights/onnx/model.onnx".`)',
    );
  });

  it('reads the first load from the weights against the goal, with the build’s own peak and the runs that held the bytes', () => {
    expect(markdown).toContain(
      "over the baseline's 60 MiB in units of the weights' size: peak **2.60×** (2.53×–4.73× over the runs), above the goal of about 2×; from the export (a) 2.67×.",
    );
    expect(markdown).toContain(
      'The build itself (the weights file read whole and the graph encoded, both held until it is written to the cache) peaks at 2.13×',
    );
    expect(markdown).toContain(
      "In 1 of 3 runs, the read file's and the built graph's bytes were still resident when createFillMask returned",
    );
  });

  it('lists the steps of the median run, with anonymous and file pages', () => {
    expect(markdown).toContain('step by step (the repetition of median peak, #2)');
    expect(markdown).toContain('| graph built and written to the cache | 2000 | 700 = 655 + 45 | 700 |  |');
  });
});

describe('medianPeakRun', () => {
  it('takes the run of median peak, the lower middle of an even count', () => {
    const peaks = [900, 800, 1500, 850].map((peak, repetition) => loaded(repetition, 1, peak, 500));
    expect(medianPeakRun(peaks)?.repetition).toBe(3);
    expect(medianPeakRun([])).toBeUndefined();
  });
});
