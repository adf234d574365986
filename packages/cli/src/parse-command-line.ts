import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
type CommandLine<Options extends OptionSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: Options }>
>;

/**
 * Every subcommand's flags, parsed strictly: an unknown or malformed flag is a UsageError (exit 2).
 * `takesText` says whether the command reads TEXT arguments, for the advice on an unknown option.
 */
export function parseCommandLine<Options extends OptionSpecs>(
  argv: readonly string[],
  options: Options,
  { takesText = true }: { readonly takesText?: boolean } = {},
): CommandLine<Options> {
  try {
    return parseArgs({ args: attachNegativeValues(argv, options), allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError(describeParseError(error as Error & { code?: string }, options, takesText));
  }
}

/**
 * `-k -1` as `--top-k=-1`: node's parser takes a value starting with `-` for an option of its own and
 * calls it ambiguous; a negative number is never a flag, so it goes to its option, whose own check
 * then says what the option needs.
 */
function attachNegativeValues(argv: readonly string[], options: OptionSpecs): string[] {
  const args: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index];
    if (arg === '--') return [...args, ...argv.slice(index)];
    const name = takesValue(arg, options);
    const next = argv[index + 1];
    if (name !== undefined && next !== undefined && /^-\.?\d/.test(next)) {
      args.push(`--${name}=${next}`);
      index++;
    } else args.push(arg);
  }
  return args;
}

/** The long name of the option `arg` spells (`-k`, `--top-k`), when it takes a value; else undefined. */
function takesValue(arg: string, options: OptionSpecs): string | undefined {
  const name = arg.startsWith('--')
    ? arg.slice(2)
    : /^-[^-]$/.test(arg)
      ? Object.keys(options).find((long) => options[long].short === arg[1])
      : undefined;
  return name !== undefined && options[name]?.type === 'string' ? name : undefined;
}

/** node's messages, said for this command line: its own for the two that mislead or lose a quote. */
function describeParseError(error: Error & { code?: string }, options: OptionSpecs, takesText: boolean): string {
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
    const option = /'([^']*)'/.exec(error.message)?.[1] ?? '';
    const advice = takesText ? ` A TEXT that starts with '-' goes after '--', as in: fillmask -- ${JSON.stringify(option)}` : '';
    return `Unknown option ${option}.${advice}`;
  }
  const ambiguous = /^Option '(-[^\s',]+)(?:, (--[^\s']+))?[^']*' argument is ambiguous/.exec(error.message);
  if (ambiguous) {
    const spelled = ambiguous[2] ?? ambiguous[1];
    const long = spelled.startsWith('--') ? spelled : `--${Object.keys(options).find((name) => options[name].short === spelled[1])}`;
    return `${long} needs a value, and what follows it starts with '-'. If that is the value, write ${long}=<value>.`;
  }
  return error.message;
}
