import type { CliCommand } from './cli-command.js';
import { cacheCommand } from './commands/cache-command.js';
import { fillCommand } from './commands/fill-command.js';
import { evalCommand } from './commands/eval-command.js';
import { scoreCommand } from './commands/score-command.js';
import { serveCommand } from './commands/serve-command.js';

/** The subcommands, in the order `fillmask --help` lists them. A new command is one more line here. */
export const cliCommands: readonly CliCommand[] = [fillCommand, serveCommand, scoreCommand, evalCommand, cacheCommand];

/** What `fillmask TEXT` runs: a first argument that names no command belongs to it. */
export const defaultCommand: CliCommand = fillCommand;
