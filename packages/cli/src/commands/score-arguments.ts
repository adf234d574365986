import { scoreModes, type ScoreMode } from '@fillmask/core';
import { modelFlagSpecs, readModelFlags, type ModelFlags } from '../model-flags.js';
import { UsageError } from '../usage-error.js';
import { parseCommandLine } from '../parse-command-line.js';

export interface ScoreArguments extends ModelFlags {
  readonly texts: string[];
  readonly inputFile: string | undefined;
  readonly mode: ScoreMode;
  readonly perToken: boolean;
  readonly truncation: boolean;
  readonly jsonl: boolean;
  readonly quiet: boolean;
  readonly help: boolean;
}

export function parseScoreArguments(argv: readonly string[]): ScoreArguments {
  const parsed = parseCommandLine(argv, {
    ...modelFlagSpecs,
    'input-file': { type: 'string', short: 'f' },
    mode: { type: 'string', default: 'token' },
    'per-token': { type: 'boolean', default: false },
    truncation: { type: 'boolean', default: false },
    jsonl: { type: 'boolean', default: false },
    quiet: { type: 'boolean', short: 'q', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  const { values, positionals } = parsed;
  const modelFlags = readModelFlags(values);
  if (modelFlags.backend === 'remote') {
    throw new UsageError(
      'fillmask score needs every logit of the masked tokens, which a service backend (-b remote) does not return: use -b onnx (the default).',
    );
  }
  if (!scoreModes.includes(values.mode as ScoreMode)) {
    throw new UsageError(`--mode must be ${scoreModes.join(' or ')}, not ${JSON.stringify(values.mode)}.`);
  }
  if (values['input-file'] !== undefined && positionals.length > 0) {
    throw new UsageError('Give texts either as TEXT arguments or with --input-file, not both.');
  }
  if (!values.help && values['input-file'] === undefined && positionals.length === 0) {
    throw new UsageError('No input: give a TEXT to score, or --input-file.');
  }
  return {
    ...modelFlags,
    texts: positionals,
    inputFile: values['input-file'],
    mode: values.mode as ScoreMode,
    perToken: values['per-token']!,
    truncation: values.truncation!,
    jsonl: values.jsonl!,
    quiet: values.quiet!,
    help: values.help!,
  };
}
