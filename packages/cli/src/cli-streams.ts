import type { Readable, Writable } from 'node:stream';

/** Where a command reads and writes, so that tests and embedders can run it without a process of its own. */
export interface CliStreams {
  readonly stdin: Readable;
  readonly stdout: Writable;
  readonly stderr: Writable & { isTTY?: boolean };
  /**
   * Stops a long-running command (`serve`) gracefully. Default: the process's SIGINT and SIGTERM.
   */
  readonly stop?: AbortSignal;
}
