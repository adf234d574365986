import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'rolldown';

/** What a child process is asked to do: open a Hub model and read files (see hub-download-child.ts). */
export interface ChildJob {
  readonly modelId: string;
  readonly hubUrl: string;
  readonly files: readonly string[];
  readonly env: Record<string, string>;
}

export interface ChildRun {
  readonly process: ChildProcess;
  /** Resolves when it exits: its exit code (null when killed), and the SHA-256 of each file read, by name. */
  readonly done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

/**
 * Bundles the child script (TypeScript sources, as the tests run them) into one ES module in
 * `folder`, so that real Node processes run the download code under test.
 */
export async function buildChildScript(folder: string): Promise<string> {
  const input = fileURLToPath(new URL('./hub-download-child.test-helper.ts', import.meta.url));
  const file = path.join(folder, 'hub-download-child.mjs');
  await build({ input, platform: 'node', output: { file, format: 'esm' }, logLevel: 'silent' });
  return file;
}

export function runChild(script: string, job: ChildJob): ChildRun {
  const child = spawn(process.execPath, [script, JSON.stringify(job)], {
    env: { PATH: process.env.PATH ?? '', ...job.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { process: child, done };
}
