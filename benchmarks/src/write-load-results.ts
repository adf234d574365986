import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtMark, markOf, type LoadCaseName, type LoadCaseResult, type LoadReport, type LoadRun } from './load-measures.js';
import type { Summary } from './statistics.js';
import { benchmarkEnvironment, type BenchmarkEnvironment } from './write-results.js';

/** `results.json` (every run, the machine, the versions) and `results.md` of a `--load` run, in `folder`. */
export function writeLoadResults(report: LoadReport, folder: string): void {
  const environment = benchmarkEnvironment();
  writeFileSync(join(folder, 'results.json'), `${JSON.stringify({ ...report, environment }, null, 2)}\n`);
  writeFileSync(join(folder, 'results.md'), loadResultsMarkdown(report, environment));
}

const rowNames: Record<LoadCaseName, string> = {
  'fillmask-baseline': 'fillmask: nothing loaded (baseline)',
  'fillmask-export': '(a) fillmask: from the ONNX export',
  'fillmask-weights-first': '(b) fillmask: from the weights, first load (graph built; empty built-graph cache)',
  'fillmask-weights-cached': '(c) fillmask: from the weights, second load (built graph from the cache)',
  'transformers.js-baseline': 'transformers.js: nothing loaded (baseline)',
  'transformers.js-export': 'transformers.js: from the ONNX export',
};

/** The peak a case is read against: its library's baseline. */
const baselineOf = (name: LoadCaseName): LoadCaseName =>
  name.startsWith('transformers.js') ? 'transformers.js-baseline' : 'fillmask-baseline';

export function loadResultsMarkdown(report: LoadReport, environment: BenchmarkEnvironment): string {
  const mib = (bytes: number) => `${Math.round(bytes / 2 ** 20)}`;
  const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(0)} MB`;
  const range = (summary: Summary | undefined, format: (value: number) => string) =>
    summary === undefined ? '' : `${format(summary.median)} (${format(summary.min)}–${format(summary.max)})`;
  const ms = (value: number) => value.toFixed(0);
  const cases = new Map(report.cases.map((entry) => [entry.name, entry]));
  const overBaseline = (entry: LoadCaseResult) => entry.peakRssBytes.median - (cases.get(baselineOf(entry.name))?.peakRssBytes.median ?? 0);
  const folderName = (folder: string) => folder.replace(/\/+$/, '').split('/').pop();
  const lines = [
    '# Load benchmark results',
    '',
    `Run ${report.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench -- ${(report.arguments?.length ? report.arguments : ['--load']).join(' ')}\` on ${environment.cpu} (${environment.int8Instructions}), ${environment.logicalCores} logical cores, ${environment.memoryGiB} GiB;`,
    `Node ${environment.node}, onnxruntime-node ${environment.onnxruntimeNode}, @huggingface/transformers ${environment.transformersJs}, fillmask ${environment.fillmask}.`,
    `The same fp32 weights as a weights-only repository, \`${folderName(report.weightsFolder)}\` (config.json, tokenizer, model.safetensors: **${megabytes(report.weightsBytes)}**, ${mib(report.weightsBytes)} MiB), and as an ONNX export, \`${folderName(report.exportFolder)}\` (onnx/model.onnx: ${megabytes(report.exportBytes)})${report.builtGraphBytes === undefined ? '' : `; the graph fillmask builds from the weights and keeps in its built-graph cache: ${megabytes(report.builtGraphBytes)}`}.`,
    `Each load in a fresh Node process, ${report.repetitions} repetitions in an order shuffled by seed ${report.seed} and the repetition (the two loads from the weights one after the other, with a cache folder of their own, removed after), ${report.threads} intra-op threads, the model files read once beforehand so that every load finds them in the OS's page cache (the disk's speed is not measured).`,
    "Time: `createFillMask` (transformers.js: `pipeline('fill-mask')`) until it resolves, then the first `fill` of one sentence; the libraries and onnxruntime-node are imported before the clock starts. Peak RSS: the process's own high-water mark (VmHWM). Baseline: a process that imported the same and loaded nothing. Medians with min–max.",
    '',
    '| load | createFillMask or pipeline (ms) | first fill (ms) | total (ms) | peak RSS (MiB) | peak RSS − baseline (MiB) | (peak RSS − baseline) ÷ weights | RSS once loaded (MiB) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const entry of report.cases) {
    const baseline = entry.name.endsWith('baseline');
    lines.push(
      `| ${rowNames[entry.name]} | ${range(entry.loadMs, ms)} | ${range(entry.firstFillMs, ms)} | ${baseline ? '' : `**${range(entry.totalMs, ms)}**`} | ${range(entry.peakRssBytes, mib)} | ${baseline ? '' : mib(overBaseline(entry))} | ${baseline ? '' : `**${(overBaseline(entry) / report.weightsBytes).toFixed(2)}×**`} | ${range(entry.loadedRssBytes, mib)} |`,
    );
  }
  lines.push(
    `| transformers.js: from the weights-only repository | it cannot load one: it reads ONNX files only${report.transformersJsWeightsError === undefined ? '' : ` (\`${oneLine(report.transformersJsWeightsError)}\`)`} | | | | | | |`,
  );
  const first = cases.get('fillmask-weights-first');
  const exported = cases.get('fillmask-export');
  const baseline = cases.get('fillmask-baseline');
  if (first && baseline) {
    const base = baseline.peakRssBytes.median;
    const times = (bytes: number) => `${((bytes - base) / report.weightsBytes).toFixed(2)}×`;
    const buildPeaks = first.runs.flatMap((run) => markOf(run, builtMark)?.peakRssBytes ?? []);
    const buildPeak = buildPeaks.length > 0 ? [...buildPeaks].sort((a, b) => a - b)[Math.floor((buildPeaks.length - 1) / 2)] : undefined;
    // A load whose RSS once loaded exceeds the second load's by half the weights or more still held the read file and the built graph.
    const cachedLoaded = cases.get('fillmask-weights-cached')?.loadedRssBytes?.median;
    const held =
      cachedLoaded === undefined
        ? []
        : first.runs.filter((run) => (markOf(run, 'loaded')?.rssBytes ?? 0) - cachedLoaded > report.weightsBytes / 2);
    lines.push(
      '',
      `Memory of a first load from the weights (b), over the baseline's ${mib(base)} MiB in units of the weights' size: peak **${times(first.peakRssBytes.median)}** (${times(first.peakRssBytes.min)}–${times(first.peakRssBytes.max)} over the runs), ${first.peakRssBytes.max - base <= 2.2 * report.weightsBytes ? 'within' : first.peakRssBytes.median - base <= 2.2 * report.weightsBytes ? 'within in the median run, above in some' : 'above'} the goal of about 2×${exported ? `; from the export (a) ${times(exported.peakRssBytes.median)}` : ''}.${buildPeak === undefined ? '' : ` The build itself (the weights file read whole and the graph encoded, both held until it is written to the cache) peaks at ${times(buildPeak)}; the rest of the peak is onnxruntime's session being created (see the steps below).`}${cachedLoaded === undefined ? '' : ` In ${held.length} of ${first.runs.length} runs, the read file's and the built graph's bytes were still resident when createFillMask returned (its RSS once loaded above the second load's by more than half the weights): they are garbage once the graph is written, but V8 frees them only at a full collection, which had not happened yet, so onnxruntime's session was created on top of them.`}`,
    );
  }
  for (const name of ['fillmask-weights-first', 'fillmask-weights-cached', 'fillmask-export'] as const) {
    const entry = cases.get(name);
    const run = entry && medianPeakRun(entry.runs);
    if (!run) continue;
    lines.push(
      '',
      `${rowNames[name]}, step by step (the repetition of median peak, #${run.repetition + 1}): the memory at each step, as RSS = anonymous (the process's own: heaps, buffers, copies) + file pages (mapped files: Node's and onnxruntime's code, and a model file onnxruntime keeps mapped, if any), and the sample of highest RSS taken every 10 ms from outside since the step before.`,
      '',
      '| step | ms since createFillMask | RSS = anonymous + file (MiB) | peak so far (MiB) | highest sampled since the step before: RSS = anonymous + file (MiB) |',
      '| --- | --- | --- | --- | --- |',
      ...run.marks.map((mark) => {
        const sampled = mark.sampledPeakSincePrevious;
        return `| ${mark.label} | ${mark.ms.toFixed(0)} | ${mib(mark.rssBytes)} = ${mib(mark.anonymousBytes)} + ${mib(mark.fileBytes)} | ${mib(mark.peakRssBytes)} | ${sampled === undefined ? '' : `${mib(sampled.rssBytes)} = ${mib(sampled.anonymousBytes)} + ${mib(sampled.fileBytes)}`} |`;
      }),
    );
  }
  lines.push('', "results.json holds every run, with the marks of each and fillmask's debug lines.", '');
  return `${lines.join('\n')}\n`;
}

/** The run whose peak RSS is the median (the lower middle one of an even count). */
export function medianPeakRun(runs: readonly LoadRun[]): LoadRun | undefined {
  const sorted = [...runs].sort((a, b) => a.peakRssBytes - b.peakRssBytes);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').replace(/`/g, "'").trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
