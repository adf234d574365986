import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchmarkEnvironment } from '../write-results.js';
import { summarize } from '../statistics.js';

/** The sentences per second of one setting at one thread count and dtype, one value per round. */
export interface SweepCase {
  readonly dtype: string;
  readonly threads: number;
  readonly setting: string;
  readonly sentencesPerSecond: readonly number[];
}

export interface SweepReport {
  readonly date: string;
  readonly model: string;
  readonly sentences: number;
  readonly rounds: number;
  readonly cases: readonly SweepCase[];
  /** The budget the onnx backend picks at each thread count (`batchTokensForThreads`). */
  readonly defaults: Readonly<Record<number, number>>;
  readonly arguments: readonly string[];
}

/** results.md: per dtype and thread count, each setting's median throughput and its ratio to the row count alone. */
export function sweepMarkdown(report: SweepReport, environment: BenchmarkEnvironment): string {
  const lines = [
    '# Token budget per forward pass',
    '',
    `${report.date.slice(0, 10)}; ${environment.cpu} (${environment.logicalCores} logical cores, ${environment.int8Instructions}), ` +
      `${environment.memoryGiB} GiB; Node ${environment.node}, onnxruntime-node ${environment.onnxruntimeNode}, fillmask ${environment.fillmask}.`,
    '',
    `\`fill(array)\` on ${report.sentences} corpus sentences (one mask each) of \`${report.model}\`, one process, ` +
      `${report.rounds} rounds, the settings in a shuffled order each round. Sentences per second, median of the rounds; ` +
      'the ratio is over the first row (a row count alone: passes of 32 sorted inputs, whatever their length). ' +
      'The default column marks the budget the onnx backend picks for that thread count.',
    '',
  ];
  const groups = new Map<string, SweepCase[]>();
  for (const entry of report.cases) {
    const key = `${entry.dtype}, ${entry.threads} thread${entry.threads === 1 ? '' : 's'}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }
  for (const [title, cases] of groups) {
    const baseline = summarize(cases[0].sentencesPerSecond).median;
    const best = Math.max(...cases.map((entry) => summarize(entry.sentencesPerSecond).median));
    lines.push(`## ${title}`, '', '| setting | sentences/s | × row count alone | rounds | default |', '| --- | ---: | ---: | --- | --- |');
    for (const entry of cases) {
      const median = summarize(entry.sentencesPerSecond).median;
      const isDefault = entry.setting === `${report.defaults[entry.threads]} tokens`;
      lines.push(
        `| ${entry.setting}${median === best ? ' (fastest)' : ''} | ${median.toFixed(1)} | ${(median / baseline).toFixed(2)}× | ` +
          `${entry.sentencesPerSecond.map((value) => value.toFixed(1)).join(', ')} | ${isDefault ? 'yes' : ''} |`,
      );
    }
    lines.push('');
  }
  lines.push(`Command: \`npm run bench -- --batch-tokens ${report.arguments.join(' ')}\``, '');
  return lines.join('\n');
}

export function writeSweepResults(report: SweepReport, environment: BenchmarkEnvironment, folder: string): void {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'results.json'), `${JSON.stringify({ ...report, environment }, null, 2)}\n`);
  writeFileSync(join(folder, 'results.md'), sweepMarkdown(report, environment));
}
