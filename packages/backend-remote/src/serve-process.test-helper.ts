import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ServeProcess {
  readonly url: string;
  readonly process: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends SIGTERM and resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * The built `fillmask` command of the workspace's @fillmask/cli. Found by its place in the repository,
 * not as a dependency: the CLI depends on this package, so a devDependency back would be a cycle.
 */
export function fillmaskBin(): string {
  const cliFolder = fileURLToPath(new URL('../../cli', import.meta.url));
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
