import { join } from 'node:path';
import type { PathName, PathsDtype } from './paths-options.js';
import type { PeerRequest } from './peer-request.js';

/** A whole process the paths benchmark times: fillmask's command, or the peer a user would write instead. */
export type PathContender =
  | 'fillmask-fill'
  | 'fillmask-fill-two'
  | 'transformers.js-fill'
  | 'fillmask-score'
  | 'fillmask-score-one'
  | 'onnxruntime-pll'
  | 'fillmask-serve';

/**
 * Who each path runs. The short runs load the model and fill two sentences (a batch of several
 * inputs, so that everything a batch needs is loaded) or score one text (its copies make such a
 * batch): their time, taken from the whole run's, leaves the time the other inputs
 * took once everything is loaded.
 */
export const contendersOfPath: Record<PathName, readonly PathContender[]> = {
  cli: ['fillmask-fill', 'transformers.js-fill'],
  score: ['fillmask-score', 'fillmask-score-one', 'onnxruntime-pll'],
  serve: ['fillmask-serve', 'fillmask-fill', 'fillmask-fill-two'],
};

/** The contenders of `paths`, each once (the CLI's file mode serves both cli and serve). */
export function pathContenders(paths: readonly PathName[]): PathContender[] {
  return [...new Set(paths.flatMap((path) => contendersOfPath[path]))];
}

/** Sentences in the CLI's short fill run. */
export const loadRunSentences = 2;

/** The files the contenders read, one input per line. */
export interface PathInputFiles {
  /** The masked sentences (cli, serve). */
  readonly sentences: string;
  /** Their first `loadRunSentences`. */
  readonly twoSentences: string;
  /** The unmasked sentences (score). */
  readonly scoreTexts: string;
  /** Their first one. */
  readonly oneScoreText: string;
}

export interface ContenderContext {
  /** packages/cli/dist/bin.js: the `fillmask` command as built. */
  readonly cliBin: string;
  /** The folder of the peers' built scripts (benchmarks/dist/paths). */
  readonly scripts: string;
  readonly model: string;
  readonly dtype: PathsDtype;
  /** The peers' intra-op threads: the count fillmask's onnx backend takes by default, which the CLI has no flag for. */
  readonly threads: number;
  readonly inputs: PathInputFiles;
}

/** The arguments of `node` that run a contender; for fillmask-serve, a server listening on a free port until SIGTERM. */
export function contenderCommand(contender: PathContender, context: ContenderContext): string[] {
  const { cliBin, model, dtype, inputs } = context;
  const modelFlags = ['-m', model, '--dtype', dtype];
  const peer = (script: string, inputFile: string, extra: Partial<PeerRequest> = {}) => {
    const request: PeerRequest = { folder: model, dtype, threads: context.threads, inputFile, ...extra };
    return [join(context.scripts, script), JSON.stringify(request)];
  };
  switch (contender) {
    case 'fillmask-fill':
      return [cliBin, '-f', inputs.sentences, '--jsonl', ...modelFlags];
    case 'fillmask-fill-two':
      return [cliBin, '-f', inputs.twoSentences, '--jsonl', ...modelFlags];
    case 'transformers.js-fill':
      return peer('transformers-fill.js', inputs.sentences, { topK: 5 });
    case 'fillmask-score':
      return [cliBin, 'score', '-f', inputs.scoreTexts, '--jsonl', ...modelFlags];
    case 'fillmask-score-one':
      return [cliBin, 'score', '-f', inputs.oneScoreText, '--jsonl', ...modelFlags];
    case 'onnxruntime-pll':
      return peer('onnxruntime-pll.js', inputs.scoreTexts);
    case 'fillmask-serve':
      return [cliBin, 'serve', ...modelFlags, '-p', '0'];
  }
}

/** The untimed run that puts a contender's code and the model in the page cache before the rounds: the peers on the short runs' inputs. */
export function warmUpCommand(contender: PathContender, context: ContenderContext): string[] | undefined {
  const short = {
    ...context,
    inputs: { ...context.inputs, sentences: context.inputs.twoSentences, scoreTexts: context.inputs.oneScoreText },
  };
  if (contender === 'transformers.js-fill' || contender === 'onnxruntime-pll') return contenderCommand(contender, short);
  if (contender === 'fillmask-fill-two' || contender === 'fillmask-score-one') return contenderCommand(contender, context);
  return undefined;
}
