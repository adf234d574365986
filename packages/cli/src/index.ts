export { runCli } from './run-cli.js';
export type { CliStreams } from './run-cli.js';
