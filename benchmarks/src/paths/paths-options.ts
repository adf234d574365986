import { join } from 'node:path';
import { parseArgs } from 'node:util';

export const pathNames = ['cli', 'score', 'serve'] as const;
export type PathName = (typeof pathNames)[number];
export type PathsDtype = 'fp32' | 'q8';

/** What `npm run bench -- --paths [options]` measures. */
export interface PathsOptions {
  readonly paths: readonly PathName[];
  /** The dtypes of cli and serve. */
  readonly dtypes: readonly PathsDtype[];
  /** The dtypes of score. */
  readonly scoreDtypes: readonly PathsDtype[];
  readonly rounds: number;
  /** Masked corpus sentences for fill and serve. */
  readonly sentences: number;
  /** Unmasked corpus sentences for score. */
  readonly scoreSentences: number;
  /** Concurrent HTTP clients of fillmask serve. */
  readonly clients: number;
  readonly model: string;
  readonly corpus: string;
  readonly output: string;
  readonly seed: number;
  readonly help: boolean;
}

export const pathsHelp = `Usage: npm run bench -- --paths [options]

The paths where users meet fillmask, each against its peer, every measurement a whole process,
interleaved in rounds. Writes results.md and results.json. See benchmarks/README.md.

  --only cli|score|serve   a path (repeatable, or comma-separated); default all three:
                           cli    fillmask -f FILE --jsonl against a transformers.js script
                           score  fillmask score -f FILE --jsonl against a pseudo-log-likelihood
                                  over onnxruntime-node
                           serve  fillmask serve with concurrent clients against the CLI's file mode
  --dtype fp32|q8          for cli and serve, repeatable; default fp32 and q8
  --score-dtype fp32|q8    for score, repeatable; default fp32 (q8 adds about a quarter to the run)
  --rounds N               default 3
  --sentences N            masked sentences for cli and serve; default 512
  --score-sentences N      unmasked sentences for score; default 48
  --clients N              concurrent HTTP clients of fillmask serve; default 50
  --model FOLDER           default bench-models/bench-distilroberta (benchmarks/models/make-bench-models.sh)
  --seed N                 turn order; default 1
  --corpus FOLDER          its eval/*.txt give the sentences; default benchmarks/corpus
  --output FOLDER          for results.md and results.json, made if missing; default benchmarks/paths
  -h, --help               this text`;

/** Reads the options after `--paths`; `root` is the repository's. A wrong option or value throws, naming it. */
export function parsePathsOptions(argv: readonly string[], root: string): PathsOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string', multiple: true },
      dtype: { type: 'string', multiple: true },
      'score-dtype': { type: 'string', multiple: true },
      rounds: { type: 'string', default: '3' },
      sentences: { type: 'string', default: '512' },
      'score-sentences': { type: 'string', default: '48' },
      clients: { type: 'string', default: '50' },
      model: { type: 'string', default: join(root, 'bench-models', 'bench-distilroberta') },
      seed: { type: 'string', default: '1' },
      corpus: { type: 'string', default: join(root, 'benchmarks', 'corpus') },
      output: { type: 'string', default: join(root, 'benchmarks', 'paths') },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  const paths = (values.only ?? [...pathNames]).flatMap((value) => value.split(',')).map((value) => value.trim());
  for (const path of paths)
    if (!(pathNames as readonly string[]).includes(path)) throw new Error(`--only must be cli, score or serve, not ${path}`);
  const dtypesOf = (name: string, given: string[] | undefined, defaults: PathsDtype[]) => {
    for (const dtype of given ?? []) if (dtype !== 'fp32' && dtype !== 'q8') throw new Error(`--${name} must be fp32 or q8, not ${dtype}`);
    return [...new Set((given ?? defaults) as PathsDtype[])];
  };
  const count = (name: string, value: string | undefined, minimum = 1) => {
    const number = Number(value);
    if (!Number.isSafeInteger(number) || number < minimum)
      throw new Error(`--${name} must be a whole number of at least ${minimum}, not ${value}`);
    return number;
  };
  return {
    paths: pathNames.filter((name) => paths.includes(name)),
    dtypes: dtypesOf('dtype', values.dtype, ['fp32', 'q8']),
    scoreDtypes: dtypesOf('score-dtype', values['score-dtype'], ['fp32']),
    rounds: count('rounds', values.rounds),
    // The serve path takes the CLI's run on the first two from its run on all.
    sentences: count('sentences', values.sentences, 3),
    scoreSentences: count('score-sentences', values['score-sentences']),
    clients: count('clients', values.clients),
    model: values.model!,
    corpus: values.corpus!,
    output: values.output!,
    seed: count('seed', values.seed, 0),
    help: values.help!,
  };
}

/** The paths to run in `dtype`: cli and serve in `--dtype`'s, score in `--score-dtype`'s. */
export function pathsOfDtype(options: Pick<PathsOptions, 'paths' | 'dtypes' | 'scoreDtypes'>, dtype: PathsDtype): PathName[] {
  return options.paths.filter((path) => (path === 'score' ? options.scoreDtypes : options.dtypes).includes(dtype));
}

/** The dtypes a run measures, fp32 first, each with at least one path. */
export function runDtypes(options: Pick<PathsOptions, 'paths' | 'dtypes' | 'scoreDtypes'>): PathsDtype[] {
  return (['fp32', 'q8'] as const).filter((dtype) => pathsOfDtype(options, dtype).length > 0);
}
