import { modelFlagSpecs, readModelFlags, remoteFlagSpecs, type ModelFlags } from '../model-flags.js';
import { parseCommandLine } from '../parse-command-line.js';
import { positiveInteger } from '../positive-integer.js';
import { UsageError } from '../usage-error.js';

export interface ServeArguments extends ModelFlags {
  readonly modelId: string | undefined;
  readonly port: number;
  readonly host: string;
  readonly batchWindowMs: number | undefined;
  readonly maxQueue: number | undefined;
  readonly maxBodyBytes: number | undefined;
  readonly timeoutMs: number | undefined;
  readonly authTokenFile: string | undefined;
  readonly quiet: boolean;
  readonly help: boolean;
}

const serveOptions = {
  ...modelFlagSpecs,
  ...remoteFlagSpecs,
  'model-id': { type: 'string' },
  port: { type: 'string', short: 'p', default: '8080' },
  host: { type: 'string', default: '127.0.0.1' },
  'batch-window-ms': { type: 'string' },
  'max-queue': { type: 'string' },
  'max-body-bytes': { type: 'string' },
  'timeout-ms': { type: 'string' },
  'auth-token-file': { type: 'string' },
  quiet: { type: 'boolean', short: 'q', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

export function parseServeArguments(argv: readonly string[]): ServeArguments {
  const { values, positionals } = parseCommandLine(argv, serveOptions, { takesText: false });
  if (positionals.length > 0) {
    throw new UsageError(`Unexpected argument '${positionals[0]}': fillmask serve takes no TEXT; inputs come in requests.`);
  }
  const port = positiveInteger('--port', values.port!, 0);
  if (port > 65535) throw new UsageError(`--port must be at most 65535, not ${port}.`);
  if (values.host!.trim() === '') throw new UsageError('--host needs an address, such as 127.0.0.1 or 0.0.0.0.');
  const optionalInteger = (flag: string, text: string | undefined, minimum = 1) =>
    text === undefined ? undefined : positiveInteger(flag, text, minimum);
  return {
    ...readModelFlags(values),
    modelId: values['model-id'],
    port,
    host: values.host!,
    batchWindowMs: optionalInteger('--batch-window-ms', values['batch-window-ms'], 0),
    maxQueue: optionalInteger('--max-queue', values['max-queue']),
    maxBodyBytes: optionalInteger('--max-body-bytes', values['max-body-bytes']),
    timeoutMs: optionalInteger('--timeout-ms', values['timeout-ms']),
    authTokenFile: values['auth-token-file'],
    quiet: values.quiet!,
    help: values.help!,
  };
}
