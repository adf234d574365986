import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface ServeProcess {
  readonly url: string;
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/** The built `fillmask` command of @fillmask/cli, as npm installs it. */
export function fillmaskBin(): string {
  const cliFolder = dirname(createRequire(import.meta.url).resolve('@fillmask/cli/package.json'));
  if (!existsSync(join(cliFolder, 'dist', 'bin.js')))
    throw new Error('packages/cli/dist is missing: run npm run build first (npm test does).');
  return join(cliFolder, 'bin', 'fillmask.js');
}

/** Starts `fillmask serve` in its own process and resolves once it says it is serving, with its URL. */
export function startServeProcess(args: readonly string[], env: Record<string, string> = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [fillmaskBin(), 'serve', '--port', '0', ...args], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk) => (stdout += chunk));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
      const url = /serving .* on (http:\/\/[^\s,]+)/.exec(stderr)?.[1];
      if (url === undefined) return;
      resolve({
        url,
        process: child,
        stdout: () => stdout,
        stderr: () => stderr,
        stop: () => {
          child.kill('SIGTERM');
          return exited;
        },
      });
    });
    void exited.then((code) => reject(new Error(`fillmask serve exited with ${code} before serving: ${stderr}`)));
  });
}
