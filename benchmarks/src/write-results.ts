import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { fastInt8KernelSaturates } from '@fillmask/backend-onnx';
import { settingContenders, type ContenderName, type SettingContenderName } from './contenders.js';
import type { Summary } from './statistics.js';

export interface BenchmarkCase {
  readonly model: string;
  readonly dtype: string;
  readonly sentences: number;
  readonly latencyTokens: number;
  readonly latencyMs: MeasuredBy<Summary>;
  /** Each contender's timed one-sentence calls (ms), round by round: the samples behind `latencyMs` and `latencyRatiosByRound`. */
  readonly latencySamplesByRound?: Partial<Record<ContenderName, readonly (readonly number[])[]>>;
  /** `ratiosByRound` of fillmask's one-sentence latency over the peer's and over the bare run's, summarized. */
  readonly latencyRatiosByRound: Record<'transformers.js' | 'onnxruntime', Summary>;
  /** With `--convolutions`, `--spinning` or `--u8u8`: `ratiosByRound` of each other setting's latency over fillmask's defaults. */
  readonly settingLatencyRatiosByRound?: Partial<Record<SettingContenderName, Summary>>;
  /** fp32 only: `latencyFloorMs` of fillmask's graph for one input and of the graph as exported, which the others run. */
  readonly latencyFloorMs?: { readonly fillmask: number; readonly unmodified: number };
  readonly throughput: MeasuredBy<Summary>;
  readonly peakRssBytes: MeasuredBy<number>;
  readonly gflops: Record<'fillmask' | 'transformers.js', number>;
}

type MainContender = 'fillmask' | 'transformers.js' | 'onnxruntime';
type MeasuredBy<T> = Record<MainContender, T> & Partial<Record<ContenderName, T>>;

export interface BenchmarkReport {
  readonly date: string;
  readonly threads: number;
  readonly rounds: number;
  readonly latencyRuns: number;
  /** Timed latency calls in each contender's turn, after one untimed call. */
  readonly callsPerTurn: number;
  /** Seeds the order of the turns (`turnOrder`). */
  readonly seed: number;
  readonly gemmGflops: number;
  /** How fast a one-row product reads fp32 weights (`measureWeightStreamingGBps`). */
  readonly weightStreamingGBps: number;
  readonly cases: readonly BenchmarkCase[];
  /** The command line's arguments after `npm run bench --`, when there were any. */
  readonly arguments?: readonly string[];
}

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Read from the installed package.json: some packages do not export it. */
function version(name: string): string {
  return (JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

export function writeResults(report: BenchmarkReport, folder: string): void {
  const environment = benchmarkEnvironment();
  writeFileSync(join(folder, 'results.json'), `${JSON.stringify({ ...report, environment }, null, 2)}\n`);
  writeFileSync(join(folder, 'results.md'), resultsMarkdown(report, environment));
}

/** The machine and the versions a run measured, for its results files. */
export function benchmarkEnvironment(): BenchmarkEnvironment {
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    logicalCores: cpus().length,
    int8Instructions: int8Instructions(),
    saturatingInt8: fastInt8KernelSaturates(),
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    onnxruntimeNode: version('onnxruntime-node'),
    transformersJs: version('@huggingface/transformers'),
    fillmask: version('@fillmask/core'),
  };
}

/**
 * The int8 dot-product instructions onnxruntime's q8 kernels can use, which decide their speed and,
 * with onnxruntime's defaults, whether their sums saturate (AVX2 without VNNI): the peer's q8 rows
 * depend on it.
 */
function int8Instructions(): string {
  let flags = '';
  try {
    flags = /^(?:flags|Features)\s*:(.*)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? '';
  } catch {
    return 'int8 instructions unknown';
  }
  const has = (flag: string) => new RegExp(`\\b${flag}\\b`).test(flags);
  if (has('avx512_vnni') || has('avx_vnni')) return 'VNNI';
  if (has('avx2')) return 'AVX2, no VNNI';
  if (has('asimddp')) return 'Arm dot product';
  return 'no VNNI or AVX2';
}

/** What the run measured and on what, beside the report. */
export interface BenchmarkEnvironment {
  readonly cpu: string;
  readonly logicalCores: number;
  readonly int8Instructions: string;
  /** Whether onnxruntime's fast int8 kernel saturates here, so that fillmask's defaults take its exact u8×u8 kernel (`fastInt8KernelSaturates`). */
  readonly saturatingInt8: boolean;
  readonly memoryGiB: number;
  readonly node: string;
  readonly onnxruntimeNode: string;
  readonly transformersJs: string;
  readonly fillmask: string;
}

/** results.md: how the run was made, then one table row per case and measure. */
export function resultsMarkdown(report: BenchmarkReport, environment: BenchmarkEnvironment): string {
  const milliseconds = (summary: Summary) => `${summary.median.toFixed(1)} (${summary.min.toFixed(1)}–${summary.max.toFixed(1)})`;
  const rate = (summary: Summary) => `${summary.median.toFixed(1)} (${summary.min.toFixed(1)}–${summary.max.toFixed(1)})`;
  const megabytes = (bytes: number) => `${Math.round(bytes / 2 ** 20)}`;
  const quartiles = (ratios: Summary) =>
    `${ratios.median.toFixed(2)}× (${ratios.lowerQuartile.toFixed(2)}–${ratios.upperQuartile.toFixed(2)})`;
  const lines = [
    '# Benchmark results',
    '',
    `Run ${report.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench${report.arguments?.length ? ` -- ${report.arguments.join(' ')}` : ''}\` on ${environment.cpu} (${environment.int8Instructions}), ${environment.logicalCores} logical cores, ${environment.memoryGiB} GiB;`,
    `Node ${environment.node}, onnxruntime-node ${environment.onnxruntimeNode}, @huggingface/transformers ${environment.transformersJs}, fillmask ${environment.fillmask}.`,
    `All contenders use the same model files and ${report.threads} intra-op threads, in one process, interleaved: each round, the contenders take turns in an order shuffled by seed ${report.seed} and the round, so none always follows the same one. Each call starts 100 ms after the last, so no contender runs against another's still-spinning threads.`,
    `transformers.js and onnxruntime run with onnxruntime's default session settings, and so does fillmask but for its int8 kernel${
      environment.saturatingInt8
        ? ": onnxruntime's fast int8 kernel saturates on this CPU (x64 without VNNI), so fillmask's defaults take its exact u8×u8 kernel (`session.x64quantprecision`)"
        : ' where the fast one saturates (x64 without VNNI: its defaults then take the exact u8×u8 kernel, `session.x64quantprecision`); on this CPU the fast kernel is exact and all three use it'
    }. The rows marked *same session settings* give the peer and the bare run those settings too, to show what the graph rewrite and batching alone are worth.`,
    `Medians with min–max: latency over ${report.latencyRuns} calls with one sentence, ${report.callsPerTurn} per turn after one untimed call, which pays for what the previous contender left behind (V8 collects a library's garbage during the calls that follow it, so in a strict alternation each library is timed with part of its neighbour's cleanup; a turn charges each library for its own, as in an application using one of them); throughput over ${report.rounds} rounds of the whole set, in the turn orders of the first latency rounds (transformers.js and onnxruntime in batches of 32 in input order; fillmask with its defaults: batches of 32 of similar length, q8 included).`,
    'onnxruntime is the bare `session.run` of the unmodified graph on ids tokenized beforehand, with no post-processing: the floor a wrapper of that graph cannot beat.',
    `Peak RSS: a fresh process per library doing the throughput workload once. Machine ceilings through onnxruntime, measured by this run: fp32 GEMM **${report.gemmGflops.toFixed(1)} GFLOP/s**; fp32 weights read by a one-row product **${report.weightStreamingGBps.toFixed(1)} GB/s**.`,
    '',
    '| model | dtype | measure | fillmask | transformers.js | onnxruntime `session.run` | fillmask ÷ transformers.js |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const entry of report.cases) {
    const name = entry.model.split('/').pop();
    const row = (measure: string, cells: string[], ratio: string) =>
      lines.push(`| ${name} | ${entry.dtype} | ${measure} | ${cells.join(' | ')} | ${ratio} |`);
    row(
      `latency, one sentence of ${entry.latencyTokens} tokens (ms)`,
      [milliseconds(entry.latencyMs.fillmask), milliseconds(entry.latencyMs['transformers.js']), milliseconds(entry.latencyMs.onnxruntime)],
      `**${(entry.latencyMs.fillmask.median / entry.latencyMs['transformers.js'].median).toFixed(2)}×** time; by round ${quartiles(entry.latencyRatiosByRound['transformers.js'])}, and ${quartiles(entry.latencyRatiosByRound.onnxruntime)} of the bare run's`,
    );
    const floor = entry.latencyFloorMs;
    if (floor) {
      row(
        'latency floor of the graph run, one sentence (ms)',
        [floor.fillmask.toFixed(1), floor.unmodified.toFixed(1), floor.unmodified.toFixed(1)],
        `${(floor.fillmask / entry.latencyMs['transformers.js'].median).toFixed(2)}× at best; fillmask at ${(entry.latencyMs.fillmask.median / floor.fillmask).toFixed(2)}× its floor`,
      );
    }
    row(
      `throughput, ${entry.sentences} sentences (sentences/s)`,
      [rate(entry.throughput.fillmask), rate(entry.throughput['transformers.js']), rate(entry.throughput.onnxruntime)],
      `**${(entry.throughput.fillmask.median / entry.throughput['transformers.js'].median).toFixed(2)}×** speed`,
    );
    const peerSameSettings = entry.latencyMs['transformers.js-same-settings'];
    const bareSameSettings = entry.latencyMs['onnxruntime-same-settings'];
    if (peerSameSettings && bareSameSettings) {
      row(
        'latency, *same session settings* (ms)',
        [milliseconds(entry.latencyMs.fillmask), milliseconds(peerSameSettings), milliseconds(bareSameSettings)],
        `**${(entry.latencyMs.fillmask.median / peerSameSettings.median).toFixed(2)}×** time`,
      );
    }
    const peerRateSameSettings = entry.throughput['transformers.js-same-settings'];
    const bareRateSameSettings = entry.throughput['onnxruntime-same-settings'];
    if (peerRateSameSettings && bareRateSameSettings) {
      row(
        'throughput, *same session settings* (sentences/s)',
        [rate(entry.throughput.fillmask), rate(peerRateSameSettings), rate(bareRateSameSettings)],
        `**${(entry.throughput.fillmask.median / peerRateSameSettings.median).toFixed(2)}×** speed`,
      );
    }
    row(
      'peak RSS (MiB)',
      [megabytes(entry.peakRssBytes.fillmask), megabytes(entry.peakRssBytes['transformers.js']), megabytes(entry.peakRssBytes.onnxruntime)],
      `${(entry.peakRssBytes.fillmask / entry.peakRssBytes['transformers.js']).toFixed(2)}× memory`,
    );
    for (const name of Object.keys(settingContenders) as SettingContenderName[]) {
      const [latency, throughput, peakRss] = [entry.latencyMs[name], entry.throughput[name], entry.peakRssBytes[name]];
      const byRound = entry.settingLatencyRatiosByRound?.[name];
      if (!latency || !throughput || peakRss === undefined) continue;
      const setting = `*fillmask with \`${settingContenders[name].label}\`*`;
      row(
        `latency, ${setting} (ms)`,
        [milliseconds(latency), milliseconds(entry.latencyMs['transformers.js']), milliseconds(entry.latencyMs.onnxruntime)],
        `**${(latency.median / entry.latencyMs['transformers.js'].median).toFixed(2)}×** time${byRound ? `; by round ${quartiles(byRound)} of fillmask's defaults` : ''}`,
      );
      row(
        `throughput, ${setting} (sentences/s)`,
        [rate(throughput), rate(entry.throughput['transformers.js']), rate(entry.throughput.onnxruntime)],
        `**${(throughput.median / entry.throughput['transformers.js'].median).toFixed(2)}×** speed`,
      );
      row(
        `peak RSS, ${setting} (MiB)`,
        [megabytes(peakRss), megabytes(entry.peakRssBytes['transformers.js']), megabytes(entry.peakRssBytes.onnxruntime)],
        `${(peakRss / entry.peakRssBytes['transformers.js']).toFixed(2)}× memory`,
      );
    }
    row(
      'achieved GFLOP/s (share of GEMM)',
      [
        `${entry.gflops.fillmask.toFixed(1)} (${Math.round((entry.gflops.fillmask / report.gemmGflops) * 100)}%)`,
        `${entry.gflops['transformers.js'].toFixed(1)} (${Math.round((entry.gflops['transformers.js'] / report.gemmGflops) * 100)}%)`,
        '',
      ],
      '',
    );
  }
  lines.push(
    '',
    "Latency by round: in each round, fillmask's median over the peer's (and over the bare run's) in the same round, which were timed seconds apart, so a change in the VM's speed between rounds cancels out; the median of those ratios with their interquartile range (the middle half of the rounds). The bold ratio is the goal's: the ratio of the whole run's medians.",
  );
  const settingsMeasured = report.cases.some((entry) =>
    (Object.keys(settingContenders) as SettingContenderName[]).some((name) => entry.latencyMs[name]),
  );
  if (settingsMeasured) {
    lines.push(
      '',
      "Rows marked *fillmask with `…`* measure fillmask with that setting of its onnx backend (the defaults are `pointwiseConvolutions: true`, the products at the mask rows, threads that spin on after a run, as onnxruntime's do, and `x64quantprecision: '1'` only where onnxruntime's fast int8 kernel saturates), interleaved with the others in the same run; the fillmask column elsewhere is its defaults. Their latency by round is each round's median over fillmask's defaults' in the same round.",
    );
  }
  if (report.cases.some((entry) => entry.latencyFloorMs)) {
    lines.push(
      '',
      `Latency floor (fp32): a lower bound on one forward pass of the graph each library runs for that sentence, at the two ceilings this run measured when it started, with onnxruntime's kernels on ${report.threads} threads: each weight product takes at least the longer of its arithmetic at the GEMM rate and the reading of its weights at the streaming rate, plus the attention's arithmetic; everything else counts as free. The ratio column divides fillmask's floor by transformers.js's median: the best ratio fillmask's graph could reach at those ceilings. This VM's speed drifts during a run, so read it as an estimate of the headroom, not a law.`,
    );
  }
  lines.push(
    '',
    "GFLOP/s: the products' operations (2 per multiply-add, padding included) each library performs, counted from the graph it runs, over its median throughput. fillmask performs fewer per sentence: its graph rewrite computes the vocabulary projection at the masks only, and in fp32 the last layer's attention output, feed-forward block and the head's transform too. q8 rates count int8 operations, set beside the fp32 GEMM rate only for scale.",
    '',
  );
  return `${lines.join('\n')}\n`;
}
