import { modelFlagSpecs, readModelFlags, remoteFlagSpecs, type ModelFlags } from '../model-flags.js';
import { positiveInteger } from '../positive-integer.js';
import { UsageError } from '../usage-error.js';
import { parseCommandLine } from '../parse-command-line.js';

export interface EvalArguments extends ModelFlags {
  readonly texts: string[];
  readonly inputFile: string | undefined;
  readonly seed: number;
  readonly jsonl: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
}

export function parseEvalArguments(argv: readonly string[]): EvalArguments {
  const parsed = parseCommandLine(argv, {
    ...modelFlagSpecs,
    ...remoteFlagSpecs,
    'input-file': { type: 'string', short: 'f' },
    seed: { type: 'string', default: '0' },
    jsonl: { type: 'boolean', default: false },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const { values, positionals } = parsed;
  const modelFlags = readModelFlags(values);
  if (values['input-file'] !== undefined && positionals.length > 0) {
    throw new UsageError('Give sentences either as TEXT arguments or with --input-file, not both.');
  }
  if (!values.help && values['input-file'] === undefined && positionals.length === 0) {
    throw new UsageError('No input: give a TEXT (a sentence), or --input-file.');
  }
  return {
    ...modelFlags,
    texts: positionals,
    inputFile: values['input-file'],
    seed: positiveInteger('--seed', values.seed!, 0),
    jsonl: values.jsonl!,
    quiet: values.quiet!,
    help: values.help!,
  };
}
