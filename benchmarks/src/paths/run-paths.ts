import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultSessionOptions, fastInt8KernelSaturates } from '@fillmask/backend-onnx';
import { loadTokenizer, openModel } from '@fillmask/core';
import { corpusSentences, evalFiles, maskedSentences } from '../bench-inputs.js';
import { turnOrder } from '../turn-order.js';
import { compareFills, compareScores } from './answer-agreement.js';
import { measureServe } from './measure-serve.js';
import {
  contenderCommand,
  loadRunSentences,
  pathContenders,
  warmUpCommand,
  type ContenderContext,
  type PathContender,
} from './path-contenders.js';
import { parsePathsOptions, pathsHelp, pathsOfDtype, runDtypes, type PathsDtype, type PathsOptions } from './paths-options.js';
import { summarizeDtype, type ContenderRun, type DtypeRuns } from './paths-summary.js';
import { runChild } from './run-child.js';
import { writePathsResults, type PathsReport } from './write-paths-results.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The most fillmask score's PLL may differ from the peer's, relative, in fp32 before the run stops: they compute the same sums. */
const scoreTolerance = 1e-3;

/**
 * `npm run bench -- --paths [options]`: the paths where users meet fillmask (the CLI's file mode,
 * score, serve), each against its peer, whole processes interleaved in rounds; writes results.md and
 * results.json (benchmarks/paths by default). Stops, with the differences, when the contenders'
 * answers disagree beyond float rounding where they compute the same thing.
 */
export async function runPathsBenchmark(argv: readonly string[]): Promise<void> {
  const options = parsePathsOptions(argv, root);
  if (options.help) {
    console.log(pathsHelp);
    return;
  }
  const cliBin = join(root, 'packages', 'cli', 'dist', 'bin.js');
  if (!existsSync(cliBin)) throw new Error(`${cliBin} is missing: build the packages first (npm run build)`);
  for (const dtype of runDtypes(options)) {
    const file = join(options.model, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx');
    if (!existsSync(file)) throw new Error(`${file} is missing (benchmarks/models/make-bench-models.sh builds the bench models)`);
  }
  mkdirSync(options.output, { recursive: true });
  const started = Date.now();
  const loadAtStart = loadavg();
  const threads = defaultSessionOptions().intraOpNumThreads ?? availableParallelism();
  const maskToken = (
    await loadTokenizer(await openModel(options.model), JSON.parse(await readFile(join(options.model, 'config.json'), 'utf8')))
  ).maskToken;
  const corpus = evalFiles(options.corpus);
  const sentences = maskedSentences(corpus, options.sentences, maskToken);
  const scoreTexts = corpusSentences(corpus, options.scoreSentences).map(({ words }) => words.join(' '));
  const folder = await mkdtemp(join(tmpdir(), 'fillmask-paths-'));
  // fillmask's runs keep their prepared graphs in a cache of this run's own, empty at its start.
  const userCache = process.env.FILLMASK_CACHE;
  process.env.FILLMASK_CACHE = join(folder, 'fillmask-cache');
  try {
    const inputs = {
      sentences: join(folder, 'sentences.txt'),
      twoSentences: join(folder, 'two-sentences.txt'),
      scoreTexts: join(folder, 'score-texts.txt'),
      oneScoreText: join(folder, 'one-score-text.txt'),
    };
    await writeFile(inputs.sentences, `${sentences.join('\n')}\n`);
    await writeFile(inputs.twoSentences, `${sentences.slice(0, loadRunSentences).join('\n')}\n`);
    await writeFile(inputs.scoreTexts, `${scoreTexts.join('\n')}\n`);
    await writeFile(inputs.oneScoreText, `${scoreTexts[0]}\n`);
    console.log(
      `${runDtypes(options)
        .map((dtype) => `${dtype}: ${pathsOfDtype(options, dtype).join(', ')}`)
        .join(
          '; ',
        )}; ${options.rounds} rounds; ${sentences.length} sentences, ${scoreTexts.length} to score; ${threads} threads; load average ${loadAtStart.map((value) => value.toFixed(2)).join(', ')}`,
    );
    const dtypes: PathsReport['dtypes'][number][] = [];
    for (const dtype of runDtypes(options)) {
      const context: ContenderContext = {
        cliBin,
        scripts: fileURLToPath(new URL('.', import.meta.url)),
        model: options.model,
        dtype,
        threads,
        inputs,
      };
      const runs = await measureDtype(options, context, sentences);
      dtypes.push({ ...runs, summary: summarizeDtype(runs, sentences.length) });
    }
    const report: PathsReport = {
      date: new Date(started).toISOString(),
      durationSeconds: (Date.now() - started) / 1000,
      arguments: argv,
      model: options.model,
      threads,
      rounds: options.rounds,
      seed: options.seed,
      sentences: sentences.length,
      scoreSentences: scoreTexts.length,
      clients: options.clients,
      loadAverage: { start: loadAtStart, end: loadavg() },
      dtypes,
    };
    writePathsResults(report, options.output);
    console.log(
      `${(report.durationSeconds / 60).toFixed(1)} minutes; results written to ${join(options.output, 'results.md')} and results.json`,
    );
  } finally {
    if (userCache === undefined) delete process.env.FILLMASK_CACHE;
    else process.env.FILLMASK_CACHE = userCache;
    await rm(folder, { recursive: true, force: true });
  }
}

/** One dtype's rounds, after the warm-up runs; the answers are compared after the first round, which stops the run when they disagree. */
async function measureDtype(options: PathsOptions, context: ContenderContext, sentences: readonly string[]): Promise<DtypeRuns> {
  const contenders = pathContenders(pathsOfDtype(options, context.dtype));
  console.log(`\n${context.dtype}: warm-up`);
  // The first load of the model file prepares its graphs and keeps them; every later one opens them.
  const first = contenders.includes('fillmask-fill-two') ? await runChild(contenderCommand('fillmask-fill-two', context)) : undefined;
  if (first) console.log(`  fillmask-fill-two, first load: ${(first.wallMs / 1000).toFixed(2)} s`);
  for (const contender of contenders) {
    const command = warmUpCommand(contender, context);
    if (command !== undefined) console.log(`  ${contender}, short: ${((await runChild(command)).wallMs / 1000).toFixed(2)} s`);
  }
  const runs: Partial<Record<PathContender, ContenderRun[]>> = {};
  const outputs: Partial<Record<PathContender, string | readonly unknown[]>> = {};
  let agreement: DtypeRuns['agreement'] = {};
  for (let round = 0; round < options.rounds; round++) {
    for (const contender of turnOrder(contenders, options.seed, round)) {
      await new Promise((resolve) => setTimeout(resolve, 300));
      const command = contenderCommand(contender, context);
      let run: ContenderRun;
      if (contender === 'fillmask-serve') {
        const served = await measureServe(command, sentences, options.clients);
        const metric = (name: string) => served.metrics[`fillmask_${name}`] ?? Number.NaN;
        run = {
          round,
          wallMs: served.wallMs,
          ...(served.peakRssBytes !== undefined && { peakRssBytes: served.peakRssBytes }),
          serve: {
            readyMs: served.readyMs,
            requestsMs: served.requestsMs,
            forwardPasses: metric('forward_passes_total'),
            forwardPassRows: metric('forward_pass_rows_total'),
            forwardPassTokens: metric('forward_pass_tokens_total'),
            forwardPassPaddedTokens: metric('forward_pass_padded_tokens_total'),
            ...(served.serverCpuMs !== undefined && { serverCpuMs: served.serverCpuMs }),
            clientsCpuMs: served.clientsCpuMs,
          },
        };
        outputs[contender] = served.answers;
        console.log(
          `  round ${round + 1}: ${contender} ready ${(served.readyMs / 1000).toFixed(2)} s, requests ${(served.requestsMs / 1000).toFixed(2)} s (${(sentences.length / (served.requestsMs / 1000)).toFixed(1)} sentences/s), ${run.serve!.forwardPasses} forward passes`,
        );
      } else {
        const child = await runChild(command);
        run = {
          round,
          wallMs: child.wallMs,
          ...(child.peakRssBytes !== undefined && { peakRssBytes: child.peakRssBytes }),
          ...(child.marks && { marks: child.marks }),
        };
        outputs[contender] = child.stdout;
        console.log(`  round ${round + 1}: ${contender} ${(child.wallMs / 1000).toFixed(2)} s`);
      }
      runs[contender] ??= [];
      runs[contender].push(run);
    }
    if (round === 0) agreement = checkAgreement(context.dtype, outputs);
  }
  const firstLoad = first && { wallMs: first.wallMs, ...(first.peakRssBytes !== undefined && { peakRssBytes: first.peakRssBytes }) };
  return { dtype: context.dtype, runs, agreement, ...(firstLoad && { firstLoad }) };
}

/**
 * The contenders' answers side by side. Where they compute the same thing, a difference beyond float
 * rounding stops the run: fp32 fill against transformers.js, fp32 scores against the onnxruntime
 * PLL, and serve against the CLI (the same library, in other batches). q8 answers of fillmask and
 * the peers are reported only: fillmask quantizes each input over its own tokens, and on x64 without
 * VNNI takes the exact int8 kernel where the peers' saturates.
 */
function checkAgreement(dtype: PathsDtype, outputs: Partial<Record<PathContender, string | readonly unknown[]>>): DtypeRuns['agreement'] {
  const lines = (contender: PathContender) =>
    (outputs[contender] as string)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as unknown);
  const failures: string[] = [];
  const agreement: { -readonly [Key in keyof DtypeRuns['agreement']]: DtypeRuns['agreement'][Key] } = {};
  if (outputs['fillmask-fill'] !== undefined && outputs['transformers.js-fill'] !== undefined) {
    agreement.cli = compareFills(lines('fillmask-fill'), lines('transformers.js-fill'));
    const { inputs, sameRanking, tiedRanking, firstDifference } = agreement.cli;
    if (dtype === 'fp32' && sameRanking + tiedRanking < inputs) {
      failures.push(
        `fill: fillmask and transformers.js rank differently for ${inputs - sameRanking - tiedRanking} inputs, first ${JSON.stringify(firstDifference)}`,
      );
    }
  }
  if (outputs['fillmask-score'] !== undefined && outputs['onnxruntime-pll'] !== undefined) {
    const scores = lines('fillmask-score').filter((line) => !(line as { summary?: unknown }).summary) as { pll: number; tokens: number }[];
    agreement.score = compareScores(scores, lines('onnxruntime-pll') as { pll: number; tokens: number }[]);
    const { maxRelativeDifference, tokenCountDifferences } = agreement.score;
    if (tokenCountDifferences > 0) failures.push(`score: ${tokenCountDifferences} texts with another count of scored tokens`);
    if (dtype === 'fp32' && maxRelativeDifference > scoreTolerance) {
      failures.push(`score: PLLs differ by ${maxRelativeDifference.toExponential(2)} relative, more than ${scoreTolerance}`);
    }
  }
  if (outputs['fillmask-serve'] !== undefined && outputs['fillmask-fill'] !== undefined) {
    agreement.serve = compareFills(outputs['fillmask-serve'] as readonly unknown[], lines('fillmask-fill'));
    const { inputs, sameRanking, tiedRanking, firstDifference } = agreement.serve;
    if (sameRanking + tiedRanking < inputs) {
      failures.push(
        `serve: its answers rank differently from the CLI's for ${inputs - sameRanking - tiedRanking} inputs, first ${JSON.stringify(firstDifference)}`,
      );
    }
  }
  console.log(`  answers: ${JSON.stringify(agreement)}`);
  if (failures.length > 0) {
    const saturating = dtype === 'q8' && fastInt8KernelSaturates() ? ' (x64 without VNNI: fillmask q8 takes the exact int8 kernel)' : '';
    throw new Error(`${dtype}: the contenders' answers disagree${saturating}:\n${failures.join('\n')}`);
  }
  return agreement;
}
