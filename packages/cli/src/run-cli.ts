import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { createFillMask, FillMaskError, toPipelineOutput, type FillMask, type FillSettledResult } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { bundledModelPath } from './bundled-model.js';
import { formatTable } from './format-table.js';
import { helpText } from './help-text.js';
import { normalizeMask } from './normalize-mask.js';
import { parseArguments, type CliArguments } from './parse-arguments.js';
import { chunked, readInputLines } from './read-inputs.js';
import { UsageError } from './usage-error.js';

export interface CliStreams {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
}

/** Runs the `fillmask` command and returns its exit status: 0 done, 1 input or model error, 2 usage error. */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  let args: CliArguments;
  try {
    args = parseArguments(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr.write(`fillmask: ${error.message}\nRun fillmask --help for usage.\n`);
    return 2;
  }
  if (args.help) return write(streams.stdout, helpText, 0);
  if (args.version) return write(streams.stdout, `${packageVersion()}\n`, 0);

  let fillMask: FillMask | undefined;
  try {
    fillMask = await createFillMask({
      model: args.model ?? bundledModelPath,
      backend: args.backend === 'onnx' ? createOnnxBackend() : args.backend,
      dtype: args.dtype,
      revision: args.revision,
      offline: args.offline || undefined,
      batchSize: args.batchSize,
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

function describeError(error: unknown): string {
  if (FillMaskError.isInstance(error)) return error.message;
  if (error instanceof Error && (error as NodeJS.ErrnoException).code === 'ENOENT') return error.message;
  return error instanceof Error ? `unexpected error: ${error.stack ?? error.message}` : `unexpected error: ${String(error)}`;
}

function downloadReporter(stderr: Writable): (progress: { file: string; status: string; loadedBytes: number; totalBytes?: number }) => void {
  return ({ file, status, loadedBytes, totalBytes }) => {
    if (status === 'cached') return;
    const amount = totalBytes ? `${Math.floor((loadedBytes / totalBytes) * 100)}%` : `${(loadedBytes / 1e6).toFixed(1)} MB`;
    stderr.write(`\rdownloading ${file} ${status === 'done' ? 'done' : amount}\x1b[K${status === 'done' ? '\n' : ''}`);
  };
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

function write(stream: Writable, text: string, status: number): number {
  stream.write(text);
  return status;
}
