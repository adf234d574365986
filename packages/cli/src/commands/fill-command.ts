import type { Writable } from 'node:stream';
import { createFillMask, toPipelineOutput, type FillMask, type FillSettledResult } from '@fillmask/core';
import type { CliCommand } from '../cli-command.js';
import type { CliStreams } from '../cli-streams.js';
import { describeError } from '../describe-error.js';
import { formatTable } from '../format-table.js';
import { modelConfig } from '../model-flags.js';
import { normalizeMask } from '../normalize-mask.js';
import { packageVersion } from '../package-version.js';
import { chunked, readInputLines } from '../read-inputs.js';
import { UsageError } from '../usage-error.js';
import { parseFillArguments, type FillArguments } from './fill-arguments.js';
import { fillHelp } from './fill-help.js';

/** `fillmask [fill] [options] [TEXT ...]`: ranks what fits each mask, as a table, JSON or JSON lines. */
export const fillCommand: CliCommand = {
  name: 'fill',
  summary: 'rank the words that fit each mask of TEXT (the default command)',
  run: runFill,
};

async function runFill(argv: readonly string[], streams: CliStreams): Promise<number> {
  let args: FillArguments;
  try {
    args = parseFillArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr.write(`fillmask: ${error.message}\nRun fillmask --help for usage.\n`);
    return 2;
  }
  if (args.help) return write(streams.stdout, fillHelp, 0);
  if (args.version) return write(streams.stdout, `${packageVersion()}\n`, 0);

  let fillMask: FillMask | undefined;
  try {
    fillMask = await createFillMask({
      ...modelConfig(args),
      onWarning: (warning) => streams.stderr.write(`fillmask: warning: ${warning.message}\n`),
      onProgress: args.quiet || !streams.stderr.isTTY ? undefined : downloadReporter(streams.stderr),
    });
    // Lines are read in chunks so a file streams through; each chunk is batched by the library.
    const linesPerChunk = Math.max(32, args.batchSize ?? 0);
    const inputs = args.inputFile === undefined ? fromArray(args.texts) : readInputLines(args.inputFile, streams.stdin);
    let failures = 0;
    const collected: unknown[] = [];
    for await (const texts of chunked(inputs, linesPerChunk)) {
      const settled = await fillMask.fillSettled(
        texts.map((text) => normalizeMask(text, fillMask!.maskToken)),
        { topK: args.topK, targets: args.targets, truncation: args.truncation },
      );
      for (const [index, result] of settled.entries()) {
        if (result.status === 'rejected') failures++;
        if (args.output === 'jsonl') streams.stdout.write(`${JSON.stringify(jsonValue(result))}\n`);
        else if (result.status === 'rejected') streams.stderr.write(`fillmask: ${result.reason.message}\n`);
        else if (args.output === 'table') streams.stdout.write(formatTable(texts[index], result.value));
        else collected.push(toPipelineOutput(result.value));
      }
      if (failures > 0 && args.output !== 'jsonl') return 1;
    }
    if (args.output === 'json') {
      streams.stdout.write(`${JSON.stringify(collected.length === 1 && args.inputFile === undefined ? collected[0] : collected)}\n`);
    }
    return failures > 0 ? 1 : 0;
  } catch (error) {
    streams.stderr.write(`fillmask: ${describeError(error)}\n`);
    return 1;
  } finally {
    await fillMask?.dispose();
  }
}

function jsonValue(result: FillSettledResult): unknown {
  return result.status === 'fulfilled' ? toPipelineOutput(result.value) : { error: result.reason.message };
}

async function* fromArray(texts: readonly string[]): AsyncGenerator<string> {
  yield* texts;
}

function downloadReporter(
  stderr: Writable,
): (progress: { file: string; status: string; loadedBytes: number; totalBytes?: number }) => void {
  return ({ file, status, loadedBytes, totalBytes }) => {
    if (status === 'cached') return;
    const amount = totalBytes ? `${Math.floor((loadedBytes / totalBytes) * 100)}%` : `${(loadedBytes / 1e6).toFixed(1)} MB`;
    stderr.write(`\rdownloading ${file} ${status === 'done' ? 'done' : amount}\x1b[K${status === 'done' ? '\n' : ''}`);
  };
}

function write(stream: Writable, text: string, status: number): number {
  stream.write(text);
  return status;
}
