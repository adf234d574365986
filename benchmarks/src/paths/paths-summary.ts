import { ratiosByRound, summarize, type Summary } from '../statistics.js';
import type { FillAgreement, ScoreAgreement } from './answer-agreement.js';
import type { ChildMarks } from './child-marks.js';
import { loadRunSentences, type PathContender } from './path-contenders.js';
import type { PathsDtype } from './paths-options.js';

/** One timed whole process. */
export interface ContenderRun {
  readonly round: number;
  /** From before its spawn to its exit. */
  readonly wallMs: number;
  readonly peakRssBytes?: number;
  /** A peer's steps (imported, loaded, done), in ms since its start. */
  readonly marks?: ChildMarks;
  /** fillmask serve: until it served, then the requests, and its batches from /metrics. */
  readonly serve?: ServeRunStats;
}

export interface ServeRunStats {
  readonly readyMs: number;
  readonly requestsMs: number;
  /** Forward passes, the inputs in them, their tokens, and rows × longest row summed (fillmask_forward_pass*_total). */
  readonly forwardPasses: number;
  readonly forwardPassRows: number;
  readonly forwardPassTokens: number;
  readonly forwardPassPaddedTokens: number;
  /** CPU time during the requests: the server's (its threads included) and the clients'. */
  readonly serverCpuMs?: number;
  readonly clientsCpuMs?: number;
}

/** Every run of one dtype, and how far the answers agreed. */
export interface DtypeRuns {
  readonly dtype: PathsDtype;
  readonly runs: Partial<Record<PathContender, readonly ContenderRun[]>>;
  /** fillmask's run on the first sentences with no prepared graph kept yet (the first load of the model file), before the warm-up. */
  readonly firstLoad?: { readonly wallMs: number; readonly peakRssBytes?: number };
  readonly agreement: {
    /** fillmask -f against transformers.js. */
    readonly cli?: FillAgreement;
    /** fillmask score against the onnxruntime pseudo-log-likelihood. */
    readonly score?: ScoreAgreement;
    /** fillmask serve's answers against the CLI's. */
    readonly serve?: FillAgreement;
  };
}

/** fillmask's whole-process times against the peer's: the ratio is peer ÷ fillmask, above 1 when fillmask is faster. */
export interface TimeComparison {
  readonly fillmaskMs: Summary;
  readonly peerMs: Summary;
  /** The peer's median over fillmask's. */
  readonly ratio: number;
  /** Round by round, the peer's time over fillmask's (a drift of the machine's speed between rounds cancels out). */
  readonly ratioByRound: Summary;
  readonly goal: number;
}

export interface ServeComparison {
  readonly sentences: number;
  /** fillmask serve: from the spawn until it served (load), and from the first request to the last answer. */
  readonly serveReadyMs: Summary;
  readonly serveRequestsMs: Summary;
  /** The CLI's file mode on the same sentences, and on the first two (its start and load, and one batch). */
  readonly cliMs: Summary;
  readonly cliShortMs: Summary;
  /** Sentences per second: serve's (requests only), the CLI's whole process, and the CLI's other sentences over its time less the short run's. */
  readonly throughput: { readonly serve: number; readonly cliWhole: number; readonly cliExcludingLoad: number };
  /** serve's throughput over the CLI's without its load (the goal's) and over the whole process's. */
  readonly ratioExcludingLoad: number;
  readonly ratioWhole: number;
  readonly ratioExcludingLoadByRound: Summary;
  readonly goal: number;
  /** In the median run: inputs per forward pass, and the share of the tokens computed that were padding. */
  readonly meanPassRows: number;
  readonly paddingShare: number;
  /** CPU time during the requests, medians over the runs: the server's, and the clients'. */
  readonly serverCpuMs?: number;
  readonly clientsCpuMs?: number;
}

export interface DtypeSummary {
  readonly dtype: PathsDtype;
  readonly cli?: TimeComparison;
  /** With the CLI's one-text run: its start and load, and one text scored. */
  readonly score?: TimeComparison & { readonly fillmaskOneMs: Summary };
  readonly serve?: ServeComparison;
}

/** The goals of issue #27: the peer's time over fillmask's (cli, score), serve's throughput over the CLI's without load. */
export const pathGoals = { cli: { fp32: 4, q8: 3.5 }, score: 2.5, serve: 0.9 } as const;

/** Medians and ratios of one dtype's runs, for the paths that ran. */
export function summarizeDtype(runs: DtypeRuns, sentences: number): DtypeSummary {
  const of = (contender: PathContender) => runs.runs[contender] ?? [];
  const byRound = (contender: PathContender, value: (run: ContenderRun) => number) => {
    const rounds: number[][] = [];
    for (const run of of(contender)) {
      rounds[run.round] ??= [];
      rounds[run.round].push(value(run));
    }
    return Array.from(rounds, (samples) => samples ?? []);
  };
  const wall = (run: ContenderRun) => run.wallMs;
  const compare = (fillmask: PathContender, peer: PathContender, goal: number): TimeComparison | undefined => {
    if (of(fillmask).length === 0 || of(peer).length === 0) return undefined;
    const fillmaskMs = summarize(of(fillmask).map(wall));
    const peerMs = summarize(of(peer).map(wall));
    return {
      fillmaskMs,
      peerMs,
      ratio: peerMs.median / fillmaskMs.median,
      ratioByRound: summarize(ratiosByRound(byRound(peer, wall), byRound(fillmask, wall))),
      goal,
    };
  };
  const cli = compare('fillmask-fill', 'transformers.js-fill', pathGoals.cli[runs.dtype]);
  const score = compare('fillmask-score', 'onnxruntime-pll', pathGoals.score);
  return {
    dtype: runs.dtype,
    ...(cli && { cli }),
    ...(score &&
      of('fillmask-score-one').length > 0 && { score: { ...score, fillmaskOneMs: summarize(of('fillmask-score-one').map(wall)) } }),
    ...(of('fillmask-serve').length > 0 && { serve: compareServe(of, byRound, sentences) }),
  };
}

function compareServe(
  of: (contender: PathContender) => readonly ContenderRun[],
  byRound: (contender: PathContender, value: (run: ContenderRun) => number) => number[][],
  sentences: number,
): ServeComparison {
  const serveRuns = of('fillmask-serve').filter((run) => run.serve !== undefined);
  const serveRequestsMs = summarize(serveRuns.map((run) => run.serve!.requestsMs));
  const cliMs = summarize(of('fillmask-fill').map((run) => run.wallMs));
  const cliShortMs = summarize(of('fillmask-fill-two').map((run) => run.wallMs));
  const afterLoad = sentences - loadRunSentences;
  const throughput = {
    serve: sentences / (serveRequestsMs.median / 1000),
    cliWhole: sentences / (cliMs.median / 1000),
    cliExcludingLoad: afterLoad / ((cliMs.median - cliShortMs.median) / 1000),
  };
  // Each round: the CLI's time per sentence without its short run's, over serve's.
  const cliRounds = byRound('fillmask-fill', (run) => run.wallMs);
  const shortRounds = byRound('fillmask-fill-two', (run) => run.wallMs);
  const excludingLoadRounds = cliRounds.map((samples, round) =>
    shortRounds[round]?.length ? samples.map((sample) => (sample - summarize(shortRounds[round]).median) / afterLoad) : [],
  );
  const medianRun = [...serveRuns].sort((a, b) => a.serve!.requestsMs - b.serve!.requestsMs)[Math.floor((serveRuns.length - 1) / 2)];
  return {
    sentences,
    serveReadyMs: summarize(serveRuns.map((run) => run.serve!.readyMs)),
    serveRequestsMs,
    cliMs,
    cliShortMs,
    throughput,
    ratioExcludingLoad: throughput.serve / throughput.cliExcludingLoad,
    ratioWhole: throughput.serve / throughput.cliWhole,
    ratioExcludingLoadByRound: summarize(
      ratiosByRound(
        excludingLoadRounds,
        byRound('fillmask-serve', (run) => (run.serve?.requestsMs ?? Number.NaN) / sentences),
      ),
    ),
    goal: pathGoals.serve,
    meanPassRows: medianRun.serve!.forwardPassRows / medianRun.serve!.forwardPasses,
    paddingShare: 1 - medianRun.serve!.forwardPassTokens / medianRun.serve!.forwardPassPaddedTokens,
    serverCpuMs: medianOfKnown(serveRuns.map((run) => run.serve!.serverCpuMs)),
    clientsCpuMs: medianOfKnown(serveRuns.map((run) => run.serve!.clientsCpuMs)),
  };
}

/** The median of the values there are; undefined when none is. */
export function medianOfKnown(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((value): value is number => value !== undefined);
  return known.length === 0 ? undefined : summarize(known).median;
}
