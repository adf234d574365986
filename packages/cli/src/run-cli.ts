import { cliCommands, defaultCommand } from './command-table.js';
import type { CliStreams } from './cli-streams.js';
import { helpText } from './help-text.js';
import { mistypedCommand } from './mistyped-command.js';

/**
 * Runs the `fillmask` command and returns its exit status: 0 done, 1 input or model error, 2 usage
 * error. The first argument picks a subcommand (`fillmask serve ...`); anything else is for fill.
 */
export async function runCli(argv: readonly string[], streams: CliStreams): Promise<number> {
  const [first, ...rest] = argv;
  const command = cliCommands.find((candidate) => candidate.name === first);
  if (command !== undefined) return command.run(rest, streams);
  if (first === '--help' || first === '-h') {
    streams.stdout.write(helpText(cliCommands));
    return 0;
  }
  const meant = mistypedCommand(first, cliCommands);
  if (meant !== undefined) {
    streams.stderr.write(
      `fillmask: unknown command ${JSON.stringify(first)}: did you mean ${meant}? (A TEXT to fill needs a mask: [MASK] or <mask>.)\nRun fillmask --help for usage.\n`,
    );
    return 2;
  }
  return defaultCommand.run(argv, streams);
}
