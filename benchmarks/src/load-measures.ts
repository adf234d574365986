import type { MemoryStatus } from './process-memory.js';
import { summarize, type Summary } from './statistics.js';

/**
 * The loads the `--load` run measures, each in a fresh process: one that loads nothing (the
 * baseline its peaks are read against), fillmask from the ONNX export, fillmask from the weights
 * with an empty built-graph cache (the graph is built and kept) and again with the graph the
 * previous one kept, and transformers.js from the ONNX export (it reads no weights-only repo) with
 * a baseline of its own.
 */
export type LoadCaseName =
  | 'fillmask-baseline'
  | 'fillmask-export'
  | 'fillmask-weights-first'
  | 'fillmask-weights-cached'
  | 'transformers.js-baseline'
  | 'transformers.js-export';

export const loadCaseNames: readonly LoadCaseName[] = [
  'fillmask-baseline',
  'fillmask-export',
  'fillmask-weights-first',
  'fillmask-weights-cached',
  'transformers.js-baseline',
  'transformers.js-export',
];

/** Starts the line of load-probe.ts's stdout that holds its result. */
export const loadProbeResultTag = 'fillmask-load-probe-result ';

/** What one child process (load-probe.ts) is asked to do. */
export interface LoadProbeRequest {
  readonly library: 'fillmask' | 'transformers.js';
  /** The model folder; none for a baseline, which imports the library and loads nothing. */
  readonly folder?: string;
  readonly threads: number;
  readonly sentence: string;
  /** fillmask's `builtGraphCache`. */
  readonly builtGraphCache?: string;
}

/** A moment of a load, as the child saw it: its memory then (`MemoryStatus`), and what happened. */
export interface LoadMark extends MemoryStatus {
  /** `start` (imports done, the load begins), `loaded` (createFillMask or pipeline returned), `filled` (the first fill returned), or a fillmask debug line's kind. */
  readonly label: string;
  /** Milliseconds since the load began. */
  readonly ms: number;
  /** Epoch milliseconds, to place the parent's samples. */
  readonly at: number;
  /** The sample of highest RSS the parent took since the previous mark (every 10 ms), when it took any. */
  readonly sampledPeakSincePrevious?: MemorySample;
  readonly message?: string;
}

/** The child's memory as the parent sampled it, at epoch milliseconds `at`. */
export interface MemorySample {
  readonly at: number;
  readonly rssBytes: number;
  readonly anonymousBytes: number;
  readonly fileBytes: number;
}

/** What the child reports. */
export interface LoadProbeResult {
  /** Process start to the load's start: Node's startup and the library's imports. */
  readonly startupMs: number;
  /** createFillMask (or transformers.js's pipeline) until it resolved. */
  readonly loadMs?: number;
  /** The first fill of one sentence, after the load. */
  readonly firstFillMs?: number;
  /** VmHWM at the end. */
  readonly peakRssBytes: number;
  readonly marks: readonly LoadMark[];
  /** fillmask: where its graph came from, by its debug lines. */
  readonly graph?: 'export' | 'built' | 'cached' | 'built in memory';
  readonly error?: string;
}

/** One measured load. */
export interface LoadRun extends LoadProbeResult {
  readonly repetition: number;
}

export interface LoadCaseResult {
  readonly name: LoadCaseName;
  /** loadMs + firstFillMs. */
  readonly totalMs?: Summary;
  readonly loadMs?: Summary;
  readonly firstFillMs?: Summary;
  readonly peakRssBytes: Summary;
  /** RSS when the load returned (a baseline: when it would have started). */
  readonly loadedRssBytes?: Summary;
  readonly runs: readonly LoadRun[];
}

export interface LoadReport {
  readonly date: string;
  readonly threads: number;
  readonly repetitions: number;
  readonly seed: number;
  readonly sentence: string;
  readonly exportFolder: string;
  readonly weightsFolder: string;
  /** The weights file(s) of the weights-only repo on disk (model.safetensors). */
  readonly weightsBytes: number;
  /** onnx/model.onnx of the export. */
  readonly exportBytes: number;
  /** The graph fillmask built from the weights, as kept in the cache. */
  readonly builtGraphBytes?: number;
  readonly cases: readonly LoadCaseResult[];
  /** Why transformers.js loaded nothing from the weights-only repo (it reads ONNX files only). */
  readonly transformersJsWeightsError?: string;
  readonly arguments?: readonly string[];
}

/** The medians (and ranges) of one case's runs. */
export function summarizeLoadCase(name: LoadCaseName, runs: readonly LoadRun[]): LoadCaseResult {
  const timedRuns = runs.filter((run) => run.loadMs !== undefined && run.firstFillMs !== undefined);
  const over = (values: number[]) => (values.length > 0 ? summarize(values) : undefined);
  return {
    name,
    totalMs: over(timedRuns.map((run) => run.loadMs! + run.firstFillMs!)),
    loadMs: over(timedRuns.map((run) => run.loadMs!)),
    firstFillMs: over(timedRuns.map((run) => run.firstFillMs!)),
    peakRssBytes: summarize(runs.map((run) => run.peakRssBytes)),
    loadedRssBytes: over(runs.flatMap((run) => markOf(run, run.loadMs === undefined ? 'start' : 'loaded')?.rssBytes ?? [])),
    runs,
  };
}

/** The run's first mark of that label. */
export function markOf(run: Pick<LoadProbeResult, 'marks'>, label: string): LoadMark | undefined {
  return run.marks.find((mark) => mark.label === label);
}

/** The label of the mark fillmask's build leaves: the graph built from the weights, written to the cache. */
export const builtMark = 'graph built and written to the cache';

/**
 * Each mark with the sample of highest RSS the parent took between the previous mark and it (the
 * first mark: from the process's start).
 */
export function withSampledPeaks(marks: readonly LoadMark[], samples: readonly MemorySample[]): LoadMark[] {
  let previous = Number.NEGATIVE_INFINITY;
  return marks.map((mark) => {
    let peak: MemorySample | undefined;
    for (const sample of samples)
      if (sample.at > previous && sample.at <= mark.at && sample.rssBytes > (peak?.rssBytes ?? -1)) peak = sample;
    previous = mark.at;
    return peak === undefined ? mark : { ...mark, sampledPeakSincePrevious: peak };
  });
}

/** The kind of a fillmask debug line, as a mark's label. */
export function debugLabel(message: string): string {
  if (/is kept in/.test(message)) return builtMark;
  if (/is read from/.test(message)) return 'built graph found in the cache';
  if (/is built from .* in memory/.test(message)) return 'graph built in memory';
  if (/weight tensors from the file itself/.test(message)) return 'session open, weights read by onnxruntime from the file';
  if (/did not load, so it is read whole/.test(message)) return 'by reference failed: file read whole';
  if (/ rewritten: | run as 1×1 convolutions/.test(message)) return 'graph rewrite noted (logged once the session is open)';
  return 'debug';
}

/** Where fillmask's graph came from, by its debug lines. */
export function graphSource(messages: readonly string[]): LoadProbeResult['graph'] {
  if (messages.some((message) => /is kept in/.test(message))) return 'built';
  if (messages.some((message) => /is read from/.test(message))) return 'cached';
  if (messages.some((message) => /in memory/.test(message) && /no ONNX export/.test(message))) return 'built in memory';
  return 'export';
}
