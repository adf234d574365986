import type { Writable } from 'node:stream';
import { createScorer, summarizeScores, type MaskedLmScorer, type ScoreSettledResult, type TextScore } from '@fillmask/core';
import type { CliCommand } from '../cli-command.js';
import type { CliStreams } from '../cli-streams.js';
import { countInputLines } from '../count-input-lines.js';
import { abbreviate } from '../abbreviate-text.js';
import { describeError } from '../describe-error.js';
import { describeInputError } from '../describe-input-error.js';
import { formatScoreRow, formatScoreSummary, scoreTableHeader } from '../format-score-table.js';
import { modelConfig } from '../model-flags.js';
import { createProgressBar } from '../progress-bar.js';
import { checkInputFile } from '../input-file.js';
import { readAhead } from '../read-ahead.js';
import { placedTexts, readPlacedInputLines, type PlacedInput } from '../read-inputs.js';
import { UsageError } from '../usage-error.js';
import { parseScoreArguments, type ScoreArguments } from './score-arguments.js';
import { scoreHelp } from './score-help.js';

/** `fillmask score [options] [TEXT ...]`: pseudo-log-likelihood and pseudo-perplexity of each text and of all of them. */
export const scoreCommand: CliCommand = {
  name: 'score',
  summary: 'score texts with the masked LM: pseudo-log-likelihood and pseudo-perplexity',
  run: runScore,
};

/**
 * Texts read ahead per scoring call: their masked copies (one per token) share passes by the token
 * budget. Fewer than fill's lines, since each text is tens of copies and output waits for its window.
 */
const textsPerWindow = 256;

async function runScore(argv: readonly string[], streams: CliStreams): Promise<number> {
  let args: ScoreArguments;
  try {
    args = parseScoreArguments(argv);
    if (args.inputFile !== undefined && !args.help) await checkInputFile(args.inputFile);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    streams.stderr.write(`fillmask score: ${error.message}\nRun fillmask score --help for usage.\n`);
    return 2;
  }
  if (args.help) {
    streams.stdout.write(scoreHelp);
    return 0;
  }

  let scorer: MaskedLmScorer | undefined;
  const progress = createProgressBar(
    streams.stderr,
    'scoring',
    args.inputFile === undefined ? undefined : await countInputLines(args.inputFile).catch(() => undefined),
    !args.quiet && args.inputFile !== undefined,
  );
  try {
    scorer = await createScorer({ ...modelConfig(args, { batches: true }), truncation: args.truncation });
    const inputs = args.inputFile === undefined ? placedTexts(args.texts) : readPlacedInputLines(args.inputFile, streams.stdin);
    const scores: TextScore[] = [];
    let failures = 0;
    let done = 0;
    if (!args.jsonl) streams.stdout.write(scoreTableHeader());
    for await (const chunk of readAhead(inputs, textsPerWindow)) {
      const texts = chunk.map((input) => input.text);
      const settled = await scorer.scoreSettled(texts, {
        mode: args.mode,
        perToken: args.perToken,
        onProgress: ({ completed }) => progress.update(done + completed),
      });
      done += texts.length;
      progress.hide();
      for (const [index, result] of settled.entries()) {
        if (result.status === 'fulfilled') scores.push(result.value);
        else failures++;
        if (args.jsonl) writeLine(streams.stdout, jsonValue(result, chunk[index]));
        else if (result.status === 'fulfilled') streams.stdout.write(formatScoreRow(abbreviate(texts[index]), result.value));
        else {
          streams.stderr.write(`fillmask score: ${describeInputError(result.reason, chunk[index].place, 'score')}\n`);
          return 1;
        }
      }
      progress.update(done);
    }
    const summary = summarizeScores(scores);
    progress.finish();
    if (args.jsonl) writeLine(streams.stdout, { summary: { ...summary, texts: scores.length } });
    else streams.stdout.write(formatScoreSummary(summary, scores.length));
    return failures > 0 ? 1 : 0;
  } catch (error) {
    progress.finish();
    streams.stderr.write(`fillmask score: ${describeError(error, args)}\n`);
    return 1;
  } finally {
    await scorer?.dispose();
  }
}

function jsonValue(result: ScoreSettledResult, input: PlacedInput): unknown {
  return result.status === 'fulfilled' ? result.value : { error: describeInputError(result.reason, input.place, 'score') };
}

/** JSON has no NaN: a pseudo-perplexity of nothing (no texts) is written as null. */
function writeLine(stream: Writable, value: unknown): void {
  stream.write(`${JSON.stringify(value, (_key, item: unknown) => (typeof item === 'number' && !Number.isFinite(item) ? null : item))}\n`);
}
