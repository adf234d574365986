import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './usage-error.js';

type OptionSpecs = NonNullable<ParseArgsConfig['options']>;
type CommandLine<Options extends OptionSpecs> = ReturnType<
  typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: Options }>
>;

/** Every subcommand's flags, parsed strictly: an unknown or malformed flag is a UsageError (exit 2). */
export function parseCommandLine<Options extends OptionSpecs>(argv: readonly string[], options: Options): CommandLine<Options> {
  try {
    return parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}
