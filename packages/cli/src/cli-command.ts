import type { CliStreams } from './cli-streams.js';

/** A subcommand of `fillmask`: `fill`, `serve`, ... Each parses its own arguments and returns its exit status. */
export interface CliCommand {
  readonly name: string;
  /** One line for the command list of `fillmask --help`. */
  readonly summary: string;
  run(argv: readonly string[], streams: CliStreams): Promise<number>;
}
