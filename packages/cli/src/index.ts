export { runCli } from './run-cli.js';
export type { CliStreams } from './cli-streams.js';
export type { CliCommand } from './cli-command.js';
