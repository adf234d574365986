import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, type Summary } from '../statistics.js';
import { benchmarkEnvironment, type BenchmarkEnvironment } from '../write-results.js';
import type { FillAgreement } from './answer-agreement.js';
import { loadRunSentences, type PathContender } from './path-contenders.js';
import type { DtypeRuns, DtypeSummary } from './paths-summary.js';

/** Everything a `--paths` run measured. */
export interface PathsReport {
  /** When it started. */
  readonly date: string;
  readonly durationSeconds: number;
  /** The arguments after `--paths`. */
  readonly arguments: readonly string[];
  readonly model: string;
  readonly threads: number;
  readonly rounds: number;
  readonly seed: number;
  readonly sentences: number;
  readonly scoreSentences: number;
  readonly clients: number;
  /** os.loadavg() (1, 5 and 15 minutes) when the run started and when it ended: other work on the machine. */
  readonly loadAverage: { readonly start: readonly number[]; readonly end: readonly number[] };
  readonly dtypes: readonly (DtypeRuns & { readonly summary: DtypeSummary })[];
}

/** `results.json` (every run, the machine, the versions) and `results.md`, in `folder`. */
export function writePathsResults(report: PathsReport, folder: string): void {
  const environment = benchmarkEnvironment();
  writeFileSync(join(folder, 'results.json'), `${JSON.stringify({ ...report, environment }, null, 2)}\n`);
  writeFileSync(join(folder, 'results.md'), pathsResultsMarkdown(report, environment));
}

const seconds = (summary: Summary) =>
  `${(summary.median / 1000).toFixed(2)} (${(summary.min / 1000).toFixed(2)}–${(summary.max / 1000).toFixed(2)})`;
const times = (ratio: number) => `${ratio.toFixed(2)}×`;
const byRound = (ratios: Summary) =>
  ratios.samples > 1 ? `by round ${times(ratios.median)} (${times(ratios.lowerQuartile)}–${times(ratios.upperQuartile)})` : '';
const verdict = (ratio: number, goal: number) => `${ratio >= goal ? 'met' : 'not met'}: ≥ ${goal}×`;
const mib = (bytes: number | undefined) => (bytes === undefined ? '?' : `${Math.round(bytes / 2 ** 20)}`);

export function pathsResultsMarkdown(report: PathsReport, environment: BenchmarkEnvironment): string {
  const load = (values: readonly number[]) => values.map((value) => value.toFixed(2)).join(', ');
  const lines = [
    '# Paths benchmark results',
    '',
    `Run ${report.date.slice(0, 16).replace('T', ' ')} UTC by \`npm run bench -- --paths${report.arguments.length ? ` ${report.arguments.join(' ')}` : ''}\`, ${(report.durationSeconds / 60).toFixed(1)} minutes, on ${environment.cpu} (${environment.int8Instructions}), ${environment.logicalCores} logical cores, ${environment.memoryGiB} GiB; load average ${load(report.loadAverage.start)} when it started, ${load(report.loadAverage.end)} when it ended.`,
    `Node ${environment.node}, onnxruntime-node ${environment.onnxruntimeNode}, @huggingface/transformers ${environment.transformersJs}, fillmask ${environment.fillmask}; model \`${report.model.replace(/\/+$/, '').split('/').pop()}\`.`,
    `Every measurement is a whole \`node\` process, timed from its spawn to its exit (serve: until it serves, then from the first request to the last answer): starting Node, importing, loading the model and the work. ${report.rounds} ${report.rounds === 1 ? 'round' : 'rounds'}; in each, the contenders take turns in an order shuffled by seed ${report.seed} and the round, 300 ms apart, after one untimed run of each peer and each short run (code and model in the page cache; fillmask's prepared graphs kept in a cache of the run's own, empty at its start, as they are after a user's first run). The CLI has no thread flag: its onnx backend takes one intra-op thread per physical core (${report.threads} here), and the peers are given ${report.threads}. ${
      environment.saturatingInt8
        ? "On this CPU onnxruntime's fast int8 kernel saturates (x64 without VNNI), so fillmask's q8 takes the exact u8×u8 kernel (`x64quantprecision`) and the peers, with onnxruntime's defaults, the fast one: q8 answers differ, and the two do different arithmetic."
        : "On this CPU onnxruntime's fast int8 kernel is exact: fillmask and the peers use it."
    }`,
    '',
    'Times in seconds, medians (min–max); ratios are the peer’s time over fillmask’s (above 1: fillmask is faster), of the medians, and by round (each round’s ratio, their median and interquartile range), which cancels a drift of the machine’s speed between rounds.',
    '',
    '| path | dtype | fillmask (s) | peer (s) | peer ÷ fillmask | goal |',
    '| --- | --- | --- | --- | --- | --- |',
  ];
  for (const { summary } of report.dtypes) {
    if (summary.cli) {
      lines.push(
        `| \`fillmask -f FILE --jsonl\`, ${report.sentences} sentences, against transformers.js \`pipeline('fill-mask')\` (batches of 32) | ${summary.dtype} | ${seconds(summary.cli.fillmaskMs)} | ${seconds(summary.cli.peerMs)} | **${times(summary.cli.ratio)}** ${byRound(summary.cli.ratioByRound)} | ${verdict(summary.cli.ratio, summary.cli.goal)} |`,
      );
    }
  }
  for (const { summary } of report.dtypes) {
    if (summary.score) {
      lines.push(
        `| \`fillmask score -f FILE --jsonl\`, ${report.scoreSentences} texts, against a pseudo-log-likelihood over onnxruntime \`session.run\` | ${summary.dtype} | ${seconds(summary.score.fillmaskMs)} | ${seconds(summary.score.peerMs)} | **${times(summary.score.ratio)}** ${byRound(summary.score.ratioByRound)} | ${verdict(summary.score.ratio, summary.score.goal)} |`,
      );
    }
  }
  const served = report.dtypes.filter(({ summary }) => summary.serve);
  if (served.length > 0) {
    lines.push(
      '',
      `\`fillmask serve\`: ${report.clients} concurrent HTTP clients (keep-alive) share the ${report.sentences} sentences, one a request, each sending its next when its answer arrives; throughput over the time from the first request to the last answer. Against the CLI's file mode on the same sentences, whole process, and without its load: the sentences after the first ${loadRunSentences} over its time less that of a run of the CLI on those ${loadRunSentences} (start, load and one batch of several inputs, so that everything a batch needs is loaded).`,
      '',
      '| dtype | serve (sentences/s) | CLI, without load (sentences/s) | CLI, whole process (sentences/s) | serve ÷ CLI without load | serve ÷ CLI whole | goal |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const { summary } of served) {
      const serve = summary.serve!;
      lines.push(
        `| ${summary.dtype} | ${serve.throughput.serve.toFixed(1)} | ${serve.throughput.cliExcludingLoad.toFixed(1)} | ${serve.throughput.cliWhole.toFixed(1)} | **${times(serve.ratioExcludingLoad)}** ${byRound(serve.ratioExcludingLoadByRound)} | ${times(serve.ratioWhole)} | ${verdict(serve.ratioExcludingLoad, serve.goal)} |`,
      );
    }
  }
  lines.push('', '## Where the time goes', '');
  for (const { dtype, runs, summary, firstLoad } of report.dtypes) {
    const marks = (contender: PathContender) => medianMarks(runs[contender] ?? []);
    const peak = (contender: PathContender) => mib(medianOf((runs[contender] ?? []).map((run) => run.peakRssBytes)));
    if (summary.cli) {
      const peer = marks('transformers.js-fill');
      const short = medianOf((runs['fillmask-fill-two'] ?? []).map((run) => run.wallMs));
      lines.push(
        `- **${dtype}, fill**: fillmask ${(summary.cli.fillmaskMs.median / 1000).toFixed(2)} s${short === undefined ? '' : `, of which a run on the first ${loadRunSentences} sentences takes ${(short / 1000).toFixed(2)} s (start, import, load, one batch)`}${firstLoad ? ` (the first such run, before any graph was prepared and kept, ${(firstLoad.wallMs / 1000).toFixed(2)} s${firstLoad.peakRssBytes === undefined ? '' : `, peak RSS ${mib(firstLoad.peakRssBytes)} MiB`})` : ''}; peak RSS ${peak('fillmask-fill')} MiB. transformers.js ${(summary.cli.peerMs.median / 1000).toFixed(2)} s${peer ? `: import ${secondsOf(peer.imported)}, pipeline load ${secondsOf(peer.loaded - peer.imported)}, ${report.sentences} sentences ${secondsOf(peer.done - peer.loaded)}` : ''}; peak RSS ${peak('transformers.js-fill')} MiB.`,
      );
    }
    if (summary.score) {
      const peer = marks('onnxruntime-pll');
      lines.push(
        `- **${dtype}, score**: fillmask ${(summary.score.fillmaskMs.median / 1000).toFixed(2)} s, of which a one-text run takes ${(summary.score.fillmaskOneMs.median / 1000).toFixed(2)} s; peak RSS ${peak('fillmask-score')} MiB. The onnxruntime pseudo-log-likelihood ${(summary.score.peerMs.median / 1000).toFixed(2)} s${peer ? `: import ${secondsOf(peer.imported)}, tokenizer and session ${secondsOf(peer.loaded - peer.imported)}, ${report.scoreSentences} texts ${secondsOf(peer.done - peer.loaded)}` : ''}; peak RSS ${peak('onnxruntime-pll')} MiB.`,
      );
    }
    if (summary.serve) {
      const serve = summary.serve;
      lines.push(
        `- **${dtype}, serve**: serving after ${(serve.serveReadyMs.median / 1000).toFixed(2)} s (start and load), then ${(serve.serveRequestsMs.median / 1000).toFixed(2)} s for the requests${serve.serverCpuMs === undefined ? '' : `, in which the server used ${secondsOf(serve.serverCpuMs)} of CPU${serve.clientsCpuMs === undefined ? '' : ` and the clients ${secondsOf(serve.clientsCpuMs)}`} (medians)`}; ${serve.meanPassRows.toFixed(1)} inputs per forward pass in the median run, padding ${(serve.paddingShare * 100).toFixed(1)}% of the tokens computed (its /metrics); peak RSS ${peak('fillmask-serve')} MiB. The CLI: ${(serve.cliMs.median / 1000).toFixed(2)} s whole, ${(serve.cliShortMs.median / 1000).toFixed(2)} s for ${loadRunSentences} sentences.`,
      );
    }
  }
  lines.push('', '## Agreement of the answers', '');
  for (const { dtype, agreement } of report.dtypes) {
    if (agreement.cli) lines.push(`- **${dtype}, fill**: fillmask and transformers.js: ${fillAgreement(agreement.cli)}.`);
    if (agreement.score) {
      const score = agreement.score;
      lines.push(
        `- **${dtype}, score**: fillmask and the onnxruntime pseudo-log-likelihood over ${score.texts} texts: PLL within ${score.maxRelativeDifference.toExponential(1)} relative (${score.maxAbsoluteDifference.toExponential(1)} nats) at most; ${score.tokenCountDifferences === 0 ? 'the same tokens scored in every text' : `${score.tokenCountDifferences} texts with another count of scored tokens`}.`,
      );
    }
    if (agreement.serve) lines.push(`- **${dtype}, serve**: fillmask serve and the CLI: ${fillAgreement(agreement.serve)}.`);
  }
  lines.push('');
  return `${lines.join('\n')}\n`;
}

function fillAgreement(agreement: FillAgreement): string {
  return `the same candidates in the same order for ${agreement.sameRanking} of ${agreement.inputs} inputs${agreement.tiedRanking > 0 ? `, and but for tied scores for ${agreement.tiedRanking} more` : ''}, the same best token for ${agreement.sameTop1}; scores of the same token at the same rank within ${agreement.maxScoreDifference.toExponential(1)}`;
}

function secondsOf(milliseconds: number): string {
  return `${(milliseconds / 1000).toFixed(2)} s`;
}

/** The median of the values there are; undefined when none is. */
function medianOf(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : summarize(known).median;
}

/** The median of each mark over the runs that wrote `imported`, `loaded` and `done`. */
function medianMarks(
  runs: readonly { readonly marks?: Readonly<Record<string, number>> }[],
): Record<'imported' | 'loaded' | 'done', number> | undefined {
  const marked = runs.flatMap((run) => (run.marks ? [run.marks] : []));
  if (marked.length === 0) return undefined;
  const median = (label: string) => medianOf(marked.map((marks) => marks[label])) ?? Number.NaN;
  return { imported: median('imported'), loaded: median('loaded'), done: median('done') };
}
