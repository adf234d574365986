import type { CliCommand } from './cli-command.js';
import { fillHelpBody } from './commands/fill-help.js';

/** `fillmask --help`: the commands, then the options of the default command, fill. */
export function helpText(commands: readonly CliCommand[]): string {
  const width = Math.max(...commands.map((command) => command.name.length)) + 2;
  const list = commands.map((command) => `  ${command.name.padEnd(width)}${command.summary}`).join('\n');
  return `Usage: fillmask [fill] [options] [TEXT ...]
       fillmask <command> [options]

Commands:
${list}

Run fillmask <command> --help for the options of a command. Without a command, fillmask fills:

${fillHelpBody}`;
}
