import type { Writable } from 'node:stream';
import {
  commonMaskAliases,
  createFillMask,
  loadTokenizer,
  maskAliasReplacer,
  openModel,
  type FillMask,
  type FillMaskTokenizer,
  type ModelConfig,
} from '@fillmask/core';
import type { CliCommand } from '../cli-command.js';
import type { CliStreams } from '../cli-streams.js';
import { clozeItem, type ClozeItem } from '../cloze-item.js';
import { countInputLines } from '../count-input-lines.js';
import { describeError } from '../describe-error.js';
import { checkInputFile } from '../input-file.js';
import { modelConfig } from '../model-flags.js';
import { createProgressBar } from '../progress-bar.js';
import { readAhead, readAheadLines } from '../read-ahead.js';
import { readInputLines } from '../read-inputs.js';
import { seededRandom } from '../seeded-random.js';
import { UsageError } from '../usage-error.js';
import { parseEvalArguments, type EvalArguments } from './eval-arguments.js';
import { evalHelp } from './eval-help.js';

/** `fillmask eval [options] [TEXT ...]`: cloze accuracy, top-1 and top-5, one random word masked per sentence. */
export const evalCommand: CliCommand = {
  name: 'eval',
  summary: 'cloze accuracy: mask one random word per sentence, report top-1 and top-5 hit rates',
  run: runEval,
};

const topK = 5;

interface ClozeResult {
  readonly item: ClozeItem;
  readonly predictions: readonly { token: number; token_str: string }[];
}

async function runEval(argv: readonly string[], streams: CliStreams): Promise<number> {
  let args: EvalArguments;
  try {
    args = parseEvalArguments(argv);
    if (args.inputFile !== undefined && !args.help) await checkInputFile(args.inputFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr.write(`fillmask eval: ${error.message}\nRun fillmask eval --help for usage.\n`);
    return 2;
  }
  if (args.help) {
    streams.stdout.write(evalHelp);
    return 0;
  }

  let fillMask: FillMask | undefined;
  const progress = createProgressBar(
    streams.stderr,
    'evaluating',
    args.inputFile === undefined ? undefined : await countInputLines(args.inputFile).catch(() => undefined),
    !args.quiet && args.inputFile !== undefined,
  );
  try {
    const config = modelConfig(args, { batches: true });
    fillMask = await createFillMask({ ...config, onWarning: () => undefined });
    const tokenizer = await modelTokenizer(config.model as string, config);
    // A mask already in a sentence, in either spelling, is the model's own: context it does not see.
    const withModelMask = maskAliasReplacer(commonMaskAliases, tokenizer.maskToken);
    const inputs = args.inputFile === undefined ? fromArray(args.texts) : readInputLines(args.inputFile, streams.stdin);
    const counts = { sentences: 0, evaluated: 0, skipped: 0, top1: 0, top5: 0 };
    if (!args.jsonl)
      streams.stdout.write(`${'top1'.padStart(4)}  ${'top5'.padStart(4)}  ${'word'.padEnd(14)}  ${'predictions'.padEnd(44)}  text\n`);
    for await (const texts of readAhead(inputs, readAheadLines)) {
      const items = texts.map((text, index) =>
        clozeItem(withModelMask(text), tokenizer, seededRandom(args.seed, counts.sentences + index)),
      );
      const asked = items.filter((item): item is ClozeItem => item !== undefined);
      const answers = await fillMask.fillSettled(
        asked.map((item) => item.maskedText),
        {
          topK,
          // A long sentence keeps a window of the model's length around its mask.
          truncation: true,
          onProgress: ({ completed }) => progress.update(counts.sentences + completed),
        },
      );
      progress.hide();
      const results = new Map<ClozeItem, ClozeResult>();
      answers.forEach((answer, index) => {
        if (answer.status === 'rejected') throw answer.reason;
        results.set(asked[index], { item: asked[index], predictions: answer.value[asked[index].maskIndex] });
      });
      texts.forEach((text, index) => {
        counts.sentences++;
        const item = items[index];
        if (item === undefined) {
          counts.skipped++;
          if (args.jsonl) writeLine(streams.stdout, { text, skipped: 'no word of the sentence is a single token' });
          return;
        }
        const { predictions } = results.get(item)!;
        const top1 = predictions[0]?.token === item.targetId;
        const top5 = predictions.some((prediction) => prediction.token === item.targetId);
        counts.evaluated++;
        if (top1) counts.top1++;
        if (top5) counts.top5++;
        if (args.jsonl) {
          writeLine(streams.stdout, {
            text,
            masked: item.maskedText,
            word: item.word,
            predictions: predictions.map((prediction) => prediction.token_str),
            top1,
            top5,
          });
        } else {
          const words = predictions.map((prediction) => prediction.token_str.trim()).join(', ');
          streams.stdout.write(
            `${mark(top1).padStart(4)}  ${mark(top5).padStart(4)}  ${item.word.padEnd(14)}  ${words.padEnd(44)}  ${item.maskedText}\n`,
          );
        }
      });
      progress.update(counts.sentences);
    }
    progress.finish();
    const summary = {
      sentences: counts.sentences,
      evaluated: counts.evaluated,
      skipped: counts.skipped,
      top1: counts.evaluated === 0 ? null : counts.top1 / counts.evaluated,
      top5: counts.evaluated === 0 ? null : counts.top5 / counts.evaluated,
      seed: args.seed,
    };
    if (args.jsonl) writeLine(streams.stdout, { summary });
    else {
      streams.stdout.write(
        `top-1 ${percent(summary.top1)}  top-5 ${percent(summary.top5)}  over ${summary.evaluated} sentences ` +
          `(${summary.skipped} skipped: no single-token word), seed ${summary.seed}\n`,
      );
    }
    return 0;
  } catch (error) {
    progress.finish();
    streams.stderr.write(`fillmask eval: ${describeError(error, args)}\n`);
    return 1;
  } finally {
    await fillMask?.dispose();
  }
}

/** The model's own tokenizer, to find which words are single tokens and which id each is. */
async function modelTokenizer(model: string, options: Parameters<typeof openModel>[1]): Promise<FillMaskTokenizer> {
  const files = await openModel(model, options);
  const config = JSON.parse(new TextDecoder().decode(await files.read('config.json'))) as ModelConfig;
  return loadTokenizer(files, config);
}

function mark(hit: boolean): string {
  return hit ? 'yes' : '-';
}

function percent(rate: number | null): string {
  return rate === null ? 'n/a' : `${(rate * 100).toFixed(1)}%`;
}

function writeLine(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value)}\n`);
}

async function* fromArray(texts: readonly string[]): AsyncGenerator<string> {
  yield* texts;
}
