import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type Summary } from '../statistics.js';
import { benchmarkEnvironment, type BenchmarkEnvironment } from '../write-results.js';
import type { BrowserLibrary } from './library-page.js';
import type { PageMemoryRun, PageMemoryReading } from './measure-page-memory.js';

export interface BrowserBenchCase {
  /** The model folder's name. */
  readonly model: string;
  readonly dtype: string;
  readonly sentences: number;
  /** Each library's best token for the latency sentence: the same, or the libraries answer differently. */
  readonly topTokens: Record<BrowserLibrary, string>;
  readonly latencyMs: Record<BrowserLibrary, Summary>;
  readonly latencySamplesByRound: Record<BrowserLibrary, readonly (readonly number[])[]>;
  /** `ratiosByRound` of fillmask's one-sentence latency over transformers.js's, summarized. */
  readonly latencyRatioByRound: Summary;
  /** Sentences per second, one sample per round. */
  readonly throughput: Record<BrowserLibrary, Summary>;
  /** Every memory run, each library in a fresh Chromium. */
  readonly memory: readonly PageMemoryRun[];
}

export interface BrowserBenchReport {
  readonly date: string;
  /** The command line's arguments after `npm run bench:browser --`. */
  readonly arguments: readonly string[];
  readonly threads: number;
  readonly rounds: number;
  readonly latencyRuns: number;
  readonly callsPerTurn: number;
  readonly memoryRuns: number;
  /** Sentences filled after the load, before the last memory reading. */
  readonly memorySentences: number;
  readonly seed: number;
  /** Chromium's version, as the browser reports it. */
  readonly chromium: string;
  /** The onnxruntime-web each library runs: fillmask's peer dependency, and the build inside transformers.js's bundle. */
  readonly onnxruntimeWeb: Record<BrowserLibrary, string>;
  readonly cases: readonly BrowserBenchCase[];
}

/** Medians over the memory runs of one library, bytes added to the renderers from the page's reading before the load. */
export interface MemoryAdded {
  /** Renderer RSS with the model loaded. */
  readonly loaded: Summary;
  /** Renderer high-water mark (VmHWM) by then: the peak during the load. */
  readonly peak: Summary;
  /** Renderer RSS after filling the throughput sentences once. */
  readonly afterWorkload: Summary;
  /** Every Chromium process's RSS with the model loaded (the browser process, its storage and network services too). */
  readonly allProcessesLoaded: Summary;
  readonly loadMs: Summary;
}

/** `MemoryAdded` of `library` over its runs. */
export function memoryAdded(runs: readonly PageMemoryRun[], library: BrowserLibrary): MemoryAdded {
  const own = runs.filter((run) => run.library === library);
  const added = (
    after: (run: PageMemoryRun) => number,
    before: (reading: PageMemoryReading) => number = (reading) => reading.rendererRssBytes,
  ) => summarize(own.map((run) => after(run) - before(run.before)));
  return {
    loaded: added((run) => run.loaded.rendererRssBytes),
    peak: added((run) => run.loaded.rendererPeakRssBytes),
    afterWorkload: added((run) => run.afterWorkload.rendererRssBytes),
    allProcessesLoaded: added(
      (run) => run.loaded.allRssBytes,
      (reading) => reading.allRssBytes,
    ),
    loadMs: summarize(own.map((run) => run.loadMs)),
  };
}

export interface BrowserBenchEnvironment extends BenchmarkEnvironment {
  readonly chromium: string;
  readonly onnxruntimeWeb: Record<BrowserLibrary, string>;
}

/** `results.json` (every sample and reading, the machine, the versions) and `results.md` in `folder`. */
export function writeBrowserResults(report: BrowserBenchReport, folder: string): void {
  const environment: BrowserBenchEnvironment = {
    ...benchmarkEnvironment(),
    chromium: report.chromium,
    onnxruntimeWeb: report.onnxruntimeWeb,
  };
  writeFileSync(join(folder, 'results.json'), `${JSON.stringify({ ...report, environment }, null, 2)}\n`);
  writeFileSync(join(folder, 'results.md'), browserResultsMarkdown(report, environment));
}

const mebibytes = (bytes: number) => `${Math.round(bytes / 2 ** 20).toLocaleString('en-US')} MiB`;
const range = (summary: Summary, digits: number) =>
  `${summary.median.toFixed(digits)} (${summary.min.toFixed(digits)}–${summary.max.toFixed(digits)})`;

/** results.md: how the run was made, the ratios with the numbers they come from, then each library's own. */
export function browserResultsMarkdown(report: BrowserBenchReport, environment: BrowserBenchEnvironment): string {
  const lines = [
    '# Browser benchmark results',
    '',
    `Run ${report.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench:browser${report.arguments.length ? ` -- ${report.arguments.join(' ')}` : ''}\` on ${environment.cpu}, ${environment.logicalCores} logical cores, ${environment.memoryGiB} GiB;`,
    `headless Chromium ${environment.chromium}, Node ${environment.node}; fillmask ${environment.fillmask} (@fillmask/backend-web) on onnxruntime-web ${environment.onnxruntimeWeb.fillmask}; transformers.js ${environment.transformersJs} (its browser bundle, \`dist/transformers.js\`) on the onnxruntime-web ${environment.onnxruntimeWeb['transformers.js']} inside it.`,
    `Both on WebAssembly with ${report.threads} threads, on cross-origin isolated pages (COOP/COEP) served from 127.0.0.1 with every file, the \`.wasm\` files too, and the same model files. Speed: one Chromium, each library in a page of its own context, interleaved: each round the two take turns in an order shuffled by seed ${report.seed} and the round, each call 100 ms after the last; times are taken in the page. Memory: each library alone in a fresh Chromium, ${report.memoryRuns} times, in a shuffled order.`,
    '',
    `| model | dtype | throughput | latency | latency by round | memory added by loading | peak while loading | after ${report.memorySentences} sentences |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const entry of report.cases) {
    const [ours, theirs] = [memoryAdded(entry.memory, 'fillmask'), memoryAdded(entry.memory, 'transformers.js')];
    const ratio = (fillmask: number, peer: number, cell: string) => `${(fillmask / peer).toFixed(2)}× (${cell})`;
    const memory = (pick: (added: MemoryAdded) => Summary) =>
      ratio(pick(ours).median, pick(theirs).median, `${mebibytes(pick(ours).median)} vs ${mebibytes(pick(theirs).median)}`);
    const { fillmask: latency, 'transformers.js': peerLatency } = entry.latencyMs;
    const { fillmask: rate, 'transformers.js': peerRate } = entry.throughput;
    const byRound = entry.latencyRatioByRound;
    lines.push(
      `| ${entry.model} | ${entry.dtype} | ${ratio(rate.median, peerRate.median, `${rate.median.toFixed(1)} vs ${peerRate.median.toFixed(1)} sentences/s`)} | ${ratio(latency.median, peerLatency.median, `${latency.median.toFixed(1)} vs ${peerLatency.median.toFixed(1)} ms`)} | ${byRound.median.toFixed(2)}× (${byRound.lowerQuartile.toFixed(2)}–${byRound.upperQuartile.toFixed(2)}) | ${memory((added) => added.loaded)} | ${memory((added) => added.peak)} | ${memory((added) => added.afterWorkload)} |`,
    );
  }
  lines.push(
    '',
    'Ratios are fillmask ÷ transformers.js, beside fillmask vs transformers.js: above 1 is faster for throughput, below 1 is faster for latency and less for memory.',
    `Throughput: ${report.cases[0]?.sentences ?? 0} corpus sentences with one word masked, ${report.rounds} rounds, the median (transformers.js in batches of 32 in input order; fillmask given them all, batching by itself). Latency: one 18-token sentence, ${report.latencyRuns} timed calls per library, ${report.callsPerTurn} per turn after one untimed call, the median; by round, the median of fillmask's median over transformers.js's within each round, with the interquartile range.`,
    `Memory: the renderer processes' RSS (\`ps\` finds them, /proc gives VmRSS and VmHWM) with the page open and its library's script loaded, then with the model loaded, then after filling ${report.memorySentences} of the sentences (in batches of 32 for transformers.js), each reading after a full garbage collection of the page and a second's pause; medians over the runs. *Peak* is the renderers' high-water mark by the end of the load over the first reading.`,
    '',
    `| model | dtype | library | throughput (sentences/s) | latency (ms) | load (ms) | memory added by loading | peak while loading | after ${report.memorySentences} sentences | all Chromium processes, loaded | best token |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const entry of report.cases) {
    for (const library of ['fillmask', 'transformers.js'] as const) {
      const added = memoryAdded(entry.memory, library);
      lines.push(
        `| ${entry.model} | ${entry.dtype} | ${library} | ${range(entry.throughput[library], 1)} | ${range(entry.latencyMs[library], 1)} | ${range(added.loadMs, 0)} | ${mebibytes(added.loaded.median)} | ${mebibytes(added.peak.median)} | ${mebibytes(added.afterWorkload.median)} | ${mebibytes(added.allProcessesLoaded.median)} | ${JSON.stringify(entry.topTokens[library])} |`,
      );
    }
  }
  lines.push('', 'Medians with min–max. `results.json` holds every sample and memory reading.', '');
  return `${lines.join('\n')}\n`;
}
