import { spawn } from 'node:child_process';
import { memoryStatus } from '../process-memory.js';
import { type ChildMarks, readChildMarks } from './child-marks.js';

/** One whole child process, timed from before its spawn to its exit. */
export interface ChildRun {
  readonly wallMs: number;
  readonly stdout: string;
  readonly stderr: string;
  /** Its VmHWM as last sampled (every 20 ms from here, which costs the child nothing): its peak, but for a rise in its last 20 ms. */
  readonly peakRssBytes?: number;
  /** What it wrote after `childMarksTag`, when it did (the peers' scripts do). */
  readonly marks?: ChildMarks;
}

/**
 * Runs `node ...args` to its end and times it; a non-zero exit status, a signal or `timeoutMs`
 * (10 minutes by default) is an error quoting the end of its stderr.
 */
export async function runChild(args: readonly string[], timeoutMs = 600_000): Promise<ChildRun> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let peakRssBytes: number | undefined;
  const sampler = setInterval(() => {
    peakRssBytes = (child.pid !== undefined && memoryStatus(child.pid)?.peakRssBytes) || peakRssBytes;
  }, 20);
  const timeout = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (exitCode, exitSignal) => resolve([exitCode, exitSignal]));
    });
    const wallMs = Number(process.hrtime.bigint() - start) / 1e6;
    const errors = Buffer.concat(stderr).toString();
    if (code !== 0) {
      throw new Error(
        `node ${args.join(' ')} ended with ${signal ?? `exit status ${code}`} after ${wallMs.toFixed(0)} ms: ${errors.slice(-2000)}`,
      );
    }
    const marks = readChildMarks(errors);
    return { wallMs, stdout: Buffer.concat(stdout).toString(), stderr: errors, peakRssBytes, ...(marks && { marks }) };
  } finally {
    clearInterval(sampler);
    clearTimeout(timeout);
  }
}
