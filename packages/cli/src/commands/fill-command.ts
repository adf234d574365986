import type { Writable } from 'node:stream';
import { createFillMask, toPipelineOutput, type FillMask, type FillSettledResult } from '@fillmask/core';
import type { CliCommand } from '../cli-command.js';
import type { CliStreams } from '../cli-streams.js';
import { countInputLines } from '../count-input-lines.js';
import { describeError } from '../describe-error.js';
import { describeInputError } from '../describe-input-error.js';
import { formatTable } from '../format-table.js';
import { checkInputFile } from '../input-file.js';
import { modelConfig } from '../model-flags.js';
import { packageVersion } from '../package-version.js';
import { createProgressBar } from '../progress-bar.js';
import { readAhead, readAheadLines } from '../read-ahead.js';
import { placedTexts, readPlacedInputLines, type PlacedInput } from '../read-inputs.js';
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
    if (args.inputFile !== undefined && !args.help && !args.version) await checkInputFile(args.inputFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr.write(`fillmask: ${error.message}\nRun fillmask --help for usage.\n`);
    return 2;
  }
  if (args.help) return write(streams.stdout, fillHelp, 0);
  if (args.version) return write(streams.stdout, `${packageVersion()}\n`, 0);

  let fillMask: FillMask | undefined;
  const progress = createProgressBar(
    streams.stderr,
    'filling',
    args.inputFile === undefined ? undefined : await countInputLines(args.inputFile).catch(() => undefined),
    !args.quiet && args.inputFile !== undefined,
  );
  try {
    fillMask = await createFillMask({
      ...modelConfig(args, { batches: args.inputFile !== undefined }),
      // The library's default prints `[fillmask] ...` with console.warn; the CLI says it its own way.
      onWarning: (warning) => streams.stderr.write(`fillmask: warning: ${warning.message}\n`),
      onProgress: args.quiet || !streams.stderr.isTTY ? undefined : downloadReporter(streams.stderr),
    });
    const inputs = args.inputFile === undefined ? placedTexts(args.texts) : readPlacedInputLines(args.inputFile, streams.stdin);
    let failures = 0;
    let done = 0;
    const collected: unknown[] = [];
    for await (const chunk of readAhead(inputs, readAheadLines)) {
      const settled = await fillMask.fillSettled(
        chunk.map((input) => input.text),
        {
          topK: args.topK,
          targets: args.targets,
          truncation: args.truncation,
          onProgress: ({ completed }) => progress.update(done + completed),
        },
      );
      done += chunk.length;
      progress.hide();
      for (const [index, result] of settled.entries()) {
        const value = outputValue(result, chunk[index]);
        if (result.status === 'rejected') failures++;
        if (args.output === 'jsonl') streams.stdout.write(`${JSON.stringify(value)}\n`);
        else if (args.output === 'json') collected.push(value);
        else if (result.status === 'rejected') streams.stderr.write(`fillmask: ${(value as { error: string }).error}\n`);
        else streams.stdout.write(formatTable(chunk[index].text, result.value));
      }
      // A table stops at the window of its first failure; JSON and JSON lines give every input its answer.
      if (failures > 0 && args.output === 'table') {
        progress.finish();
        return 1;
      }
      progress.update(done);
    }
    progress.finish();
    if (args.output === 'json') {
      streams.stdout.write(`${JSON.stringify(collected.length === 1 && args.inputFile === undefined ? collected[0] : collected)}\n`);
    }
    return failures > 0 ? 1 : 0;
  } catch (error) {
    progress.finish();
    streams.stderr.write(`fillmask: ${describeError(error, args)}\n`);
    return 1;
  } finally {
    await fillMask?.dispose();
  }
}

/** What --json and --jsonl print for an input: the Python pipeline's shape, or `{"error": "..."}` naming the input. */
function outputValue(result: FillSettledResult, input: PlacedInput): unknown {
  return result.status === 'fulfilled' ? toPipelineOutput(result.value) : { error: describeInputError(result.reason, input.place, 'fill') };
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
