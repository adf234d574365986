import { describe, expect, it } from 'vitest';
import { testEnvironment } from '../benchmark-environment.test-helper.js';
import { summarize } from '../statistics.js';
import type { PageMemoryReading, PageMemoryRun } from './measure-page-memory.js';
import { browserResultsMarkdown, memoryAdded, type BrowserBenchEnvironment, type BrowserBenchReport } from './write-browser-results.js';

const mib = 2 ** 20;

/** A reading whose renderers hold `rss` MiB (peak `peak`), every Chromium process 500 MiB more. */
function reading(rss: number, peak = rss): PageMemoryReading {
  return {
    rendererRssBytes: rss * mib,
    rendererPeakRssBytes: peak * mib,
    rendererAnonymousBytes: rss * mib,
    renderers: 3,
    allRssBytes: (rss + 500) * mib,
    jsHeapBytes: 2 * mib,
  };
}

function run(library: PageMemoryRun['library'], added: { loaded: number; peak: number; after: number }, loadMs = 5000): PageMemoryRun {
  return {
    library,
    loadMs,
    before: reading(300),
    loaded: reading(300 + added.loaded, 300 + added.peak),
    afterWorkload: reading(300 + added.after),
  };
}

const memory = [
  run('fillmask', { loaded: 760, peak: 1290, after: 770 }, 6000),
  run('transformers.js', { loaded: 1350, peak: 1700, after: 2400 }, 12000),
  run('fillmask', { loaded: 740, peak: 1300, after: 760 }, 7000),
  run('transformers.js', { loaded: 1400, peak: 1690, after: 2300 }, 11000),
  run('fillmask', { loaded: 770, peak: 1280, after: 780 }, 8000),
  run('transformers.js', { loaded: 1300, peak: 1710, after: 2350 }, 13000),
];

const report: BrowserBenchReport = {
  date: '2026-12-07T16:10:00.000Z',
  arguments: ['--dtype', 'fp32'],
  threads: 2,
  rounds: 3,
  latencyRuns: 90,
  callsPerTurn: 3,
  memoryRuns: 3,
  memorySentences: 64,
  seed: 1,
  chromium: '156.0.8078.129',
  onnxruntimeWeb: { fillmask: '1.30.0', 'transformers.js': '1.31.0-dev' },
  cases: [
    {
      model: 'bench-distilroberta',
      dtype: 'fp32',
      sentences: 512,
      topTokens: { fillmask: ' shore', 'transformers.js': ' shore' },
      latencyMs: { fillmask: summarize([40, 42, 50]), 'transformers.js': summarize([60, 70, 80]) },
      latencySamplesByRound: { fillmask: [[40, 42, 50]], 'transformers.js': [[60, 70, 80]] },
      latencyRatioByRound: summarize([0.6, 0.62, 0.7]),
      throughput: { fillmask: summarize([30, 31, 33]), 'transformers.js': summarize([9, 10, 11]) },
      memory,
    },
  ],
};

const environment: BrowserBenchEnvironment = { ...testEnvironment(), chromium: report.chromium, onnxruntimeWeb: report.onnxruntimeWeb };

describe('memoryAdded', () => {
  it("takes each library's runs alone, each reading over the same run's reading before the load, and their medians", () => {
    const added = memoryAdded(memory, 'fillmask');
    expect(added.loaded.median / mib).toBe(760);
    expect(added.loaded.samples).toBe(3);
    expect(added.peak.median / mib).toBe(1290);
    expect(added.afterWorkload.median / mib).toBe(770);
    // Every process's RSS, over every process's RSS before: the same 500 MiB more on both sides.
    expect(added.allProcessesLoaded.median / mib).toBe(760);
    expect(added.loadMs.median).toBe(7000);
    expect(memoryAdded(memory, 'transformers.js').loaded.median / mib).toBe(1350);
  });
});

describe('browserResultsMarkdown', () => {
  const markdown = browserResultsMarkdown(report, environment);
  const lines = markdown.split('\n');

  it('says how, where and with which versions the run was made', () => {
    expect(markdown).toContain('Run 2026-12-07 16:10 UTC by `npm run bench:browser -- --dtype fp32` on Test CPU, 2 logical cores, 24 GiB;');
    expect(markdown).toContain('headless Chromium 156.0.8078.129, Node v20.20.2');
    expect(markdown).toContain('fillmask 0.1.0 (@fillmask/backend-web) on onnxruntime-web 1.30.0');
    expect(markdown).toContain(
      'transformers.js 4.3.1 (its browser bundle, `dist/transformers.js`) on the onnxruntime-web 1.31.0-dev inside it',
    );
    expect(markdown).toContain('with 2 threads');
    expect(markdown).toContain('then after filling 64 of the sentences');
    expect(lines.filter((line) => line.endsWith('| after 64 sentences |'))).toHaveLength(1);
  });

  it('gives each ratio, fillmask ÷ transformers.js, beside the numbers it comes from', () => {
    expect(lines).toContain(
      '| bench-distilroberta | fp32 | 3.10× (31.0 vs 10.0 sentences/s) | 0.60× (42.0 vs 70.0 ms) | 0.62× (0.61–0.66) | 0.56× (760 MiB vs 1,350 MiB) | 0.76× (1,290 MiB vs 1,700 MiB) | 0.33× (770 MiB vs 2,350 MiB) |',
    );
  });

  it("lists each library's own numbers and its answer to the latency sentence", () => {
    expect(lines).toContain(
      '| bench-distilroberta | fp32 | fillmask | 31.0 (30.0–33.0) | 42.0 (40.0–50.0) | 7000 (6000–8000) | 760 MiB | 1,290 MiB | 770 MiB | 760 MiB | " shore" |',
    );
    expect(lines.filter((line) => line.startsWith('| bench-distilroberta | fp32 | transformers.js |'))).toHaveLength(1);
  });
});
