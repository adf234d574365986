import { modelFlagSpecs, readModelFlags, remoteFlagSpecs, type ModelFlags } from '../model-flags.js';
import { positiveInteger } from '../positive-integer.js';
import { UsageError } from '../usage-error.js';
import { parseCommandLine } from '../parse-command-line.js';

export interface FillArguments extends ModelFlags {
  readonly texts: string[];
  readonly topK: number | undefined;
  readonly targets: string[] | undefined;
  readonly truncation: boolean;
  readonly inputFile: string | undefined;
  readonly output: 'table' | 'json' | 'jsonl';
  readonly quiet: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export function parseFillArguments(argv: readonly string[]): FillArguments {
  const parsed = parseCommandLine(argv, {
    ...modelFlagSpecs,
    ...remoteFlagSpecs,
    'top-k': { type: 'string', short: 'k' },
    targets: { type: 'string', short: 't' },
    truncation: { type: 'boolean', default: false },
    'input-file': { type: 'string', short: 'f' },
    json: { type: 'boolean', default: false },
    jsonl: { type: 'boolean', default: false },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
    version: { type: 'boolean', short: 'v', default: false },
  });
  const { values, positionals } = parsed;
  if (values.json && values.jsonl) throw new UsageError('--json and --jsonl cannot be used together.');
  const modelFlags = readModelFlags(values);
  if (values['input-file'] !== undefined && positionals.length > 0) {
    throw new UsageError('Give inputs either as TEXT arguments or with --input-file, not both.');
  }
  const wantsInfo = values.help || values.version;
  if (!wantsInfo && values['input-file'] === undefined && positionals.length === 0) {
    throw new UsageError('No input: give a TEXT with a mask, or --input-file.');
  }
  return {
    ...modelFlags,
    texts: positionals,
    topK: values['top-k'] === undefined ? undefined : positiveInteger('--top-k', values['top-k']),
    targets: values.targets === undefined ? undefined : splitTargets(values.targets),
    truncation: values.truncation!,
    inputFile: values['input-file'],
    output: values.json ? 'json' : values.jsonl ? 'jsonl' : 'table',
    quiet: values.quiet!,
    help: values.help!,
    version: values.version!,
  };
}

/** Commas separate targets; spaces are kept, since RoBERTa-style vocabularies mark words with one. */
function splitTargets(text: string): string[] {
  const targets = text.split(',').filter((target) => target !== '');
  if (targets.length === 0) throw new UsageError('--targets needs at least one token.');
  return targets;
}
