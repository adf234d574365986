import { parseArgs } from 'node:util';
import { modelDtypes, type ModelDtype } from '@fillmask/core';
import { UsageError } from './usage-error.js';

export interface CliArguments {
  readonly texts: string[];
  readonly model: string | undefined;
  readonly backend: string;
  readonly dtype: ModelDtype;
  readonly topK: number | undefined;
  readonly targets: string[] | undefined;
  readonly truncation: boolean;
  readonly inputFile: string | undefined;
  readonly output: 'table' | 'json' | 'jsonl';
  readonly batchSize: number | undefined;
  readonly revision: string | undefined;
  readonly offline: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
  readonly version: boolean;
}

export function parseArguments(argv: readonly string[]): CliArguments {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        model: { type: 'string', short: 'm' },
        backend: { type: 'string', short: 'b', default: 'onnx' },
        dtype: { type: 'string', default: 'fp32' },
        'top-k': { type: 'string', short: 'k' },
        targets: { type: 'string', short: 't' },
        truncation: { type: 'boolean', default: false },
        'input-file': { type: 'string', short: 'f' },
        json: { type: 'boolean', default: false },
        jsonl: { type: 'boolean', default: false },
        'batch-size': { type: 'string' },
        revision: { type: 'string' },
        offline: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.json && values.jsonl) throw new UsageError('--json and --jsonl cannot be used together.');
  if (!modelDtypes.includes(values.dtype as ModelDtype)) {
    throw new UsageError(`--dtype must be ${modelDtypes.join(' or ')}, not ${JSON.stringify(values.dtype)}.`);
  }
  if (values['input-file'] !== undefined && positionals.length > 0) {
    throw new UsageError('Give inputs either as TEXT arguments or with --input-file, not both.');
  }
  const wantsInfo = values.help || values.version;
  if (!wantsInfo && values['input-file'] === undefined && positionals.length === 0) {
    throw new UsageError('No input: give a TEXT with a mask, or --input-file.');
  }
  return {
    texts: positionals,
    model: values.model,
    backend: values.backend!,
    dtype: values.dtype as ModelDtype,
    topK: values['top-k'] === undefined ? undefined : positiveInteger('--top-k', values['top-k']),
    targets: values.targets === undefined ? undefined : splitTargets(values.targets),
    truncation: values.truncation!,
    inputFile: values['input-file'],
    output: values.json ? 'json' : values.jsonl ? 'jsonl' : 'table',
    batchSize: values['batch-size'] === undefined ? undefined : positiveInteger('--batch-size', values['batch-size']),
    revision: values.revision,
    offline: values.offline!,
    quiet: values.quiet!,
    help: values.help!,
    version: values.version!,
  };
}

function positiveInteger(flag: string, text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) {
    throw new UsageError(`${flag} must be a whole number of at least 1, not ${JSON.stringify(text)}.`);
  }
  return value;
}

/** Commas separate targets; spaces are kept, since RoBERTa-style vocabularies mark words with one. */
function splitTargets(text: string): string[] {
  const targets = text.split(',').filter((target) => target !== '');
  if (targets.length === 0) throw new UsageError('--targets needs at least one token.');
  return targets;
}
