import { describe, expect, it } from 'vitest';
import { debugLabel, graphSource, markOf, summarizeLoadCase, withSampledPeaks, type LoadMark, type LoadRun } from './load-measures.js';

const mib = 2 ** 20;
const mark = (label: string, ms: number, rss: number, peak = rss): LoadMark => ({
  label,
  ms,
  at: 1000 + ms,
  rssBytes: rss * mib,
  peakRssBytes: peak * mib,
  anonymousBytes: (rss - 40) * mib,
  fileBytes: 40 * mib,
});
const run = (repetition: number, loadMs: number, firstFillMs: number, peak: number, loaded: number): LoadRun => ({
  repetition,
  startupMs: 300,
  loadMs,
  firstFillMs,
  peakRssBytes: peak * mib,
  marks: [mark('start', 0, 60), mark('loaded', loadMs, loaded, peak), mark('filled', loadMs + firstFillMs, loaded + 5, peak)],
});

describe('summarizeLoadCase', () => {
  it('gives the medians of the time to load, to fill once and both, of the peak and of the RSS once loaded', () => {
    const result = summarizeLoadCase('fillmask-export', [
      run(0, 2000, 100, 800, 500),
      run(1, 2400, 140, 900, 520),
      run(2, 2200, 120, 850, 510),
    ]);
    expect(result.loadMs?.median).toBe(2200);
    expect(result.firstFillMs?.median).toBe(120);
    expect(result.totalMs).toMatchObject({ median: 2320, min: 2100, max: 2540 });
    expect(result.peakRssBytes).toMatchObject({ median: 850 * mib, min: 800 * mib, max: 900 * mib });
    expect(result.loadedRssBytes?.median).toBe(510 * mib);
    expect(result.runs).toHaveLength(3);
  });

  it('times nothing for a baseline, and reads its RSS at the start', () => {
    const baseline: LoadRun = { repetition: 0, startupMs: 300, peakRssBytes: 62 * mib, marks: [mark('start', 0, 61, 62)] };
    const result = summarizeLoadCase('fillmask-baseline', [baseline]);
    expect(result.totalMs).toBeUndefined();
    expect(result.loadMs).toBeUndefined();
    expect(result.peakRssBytes.median).toBe(62 * mib);
    expect(result.loadedRssBytes?.median).toBe(61 * mib);
  });
});

describe('withSampledPeaks', () => {
  it('gives each mark the sample of highest RSS since the mark before', () => {
    const marks = [mark('start', 0, 60), mark('built', 100, 700), mark('loaded', 200, 500)];
    const sample = (at: number, rss: number) => ({
      at: 1000 + at,
      rssBytes: rss * mib,
      anonymousBytes: (rss - 40) * mib,
      fileBytes: 40 * mib,
    });
    const result = withSampledPeaks(marks, [
      sample(-5, 55),
      sample(0, 60),
      sample(50, 400),
      sample(90, 690),
      sample(150, 900),
      sample(190, 520),
      sample(250, 510),
    ]);
    expect(result.map((entry) => entry.sampledPeakSincePrevious?.rssBytes)).toEqual([60 * mib, 690 * mib, 900 * mib]);
    expect(result[2].sampledPeakSincePrevious?.anonymousBytes).toBe(860 * mib);
  });

  it('leaves a mark without samples as it is', () => {
    const marks = [mark('start', 0, 60), mark('loaded', 1, 61)];
    expect(withSampledPeaks(marks, [])).toEqual(marks);
  });
});

describe("fillmask's debug lines", () => {
  const built = 'fillmask: /models/m-weights has no ONNX export: its graph, built from model.safetensors, is kept in /tmp/c/graphs/ab12';
  const cached = 'fillmask: /models/m-weights has no ONNX export: its graph, built from model.safetensors, is read from /tmp/c/graphs/ab12';
  const opened = 'fillmask: model.onnx: onnxruntime reads 106 weight tensors from the file itself; 5308756 bytes of it were read here';
  const rewritten = 'fillmask: model.onnx rewritten: 24 ops, the vocabulary projection among them, run on the mask rows only';
  const inMemory = 'fillmask: /models/m-weights has no ONNX export: its graph is built from model.safetensors in memory';

  it('label the marks', () => {
    expect(debugLabel(built)).toBe('graph built and written to the cache');
    expect(debugLabel(cached)).toBe('built graph found in the cache');
    expect(debugLabel(opened)).toBe('session open, weights read by onnxruntime from the file');
    expect(debugLabel(rewritten)).toBe('graph rewrite noted (logged once the session is open)');
    expect(debugLabel(inMemory)).toBe('graph built in memory');
    expect(debugLabel('fillmask: something else')).toBe('debug');
  });

  it('tell where the graph came from', () => {
    expect(graphSource([built, rewritten, opened])).toBe('built');
    expect(graphSource([cached, opened])).toBe('cached');
    expect(graphSource([inMemory])).toBe('built in memory');
    expect(graphSource([rewritten, opened])).toBe('export');
  });

  it('find a mark by its label', () => {
    expect(markOf(run(0, 10, 1, 80, 70), 'loaded')?.ms).toBe(10);
    expect(markOf(run(0, 10, 1, 80, 70), 'absent')).toBeUndefined();
  });
});
