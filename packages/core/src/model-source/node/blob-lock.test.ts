import { readFile, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { acquireLock, tryLock } from './blob-lock.js';
import { useHubSandbox } from './hub-sandbox.test-helper.js';

const sandbox = useHubSandbox();

describe('blob locks', () => {
  it('is exclusive within one process too, and free again once released', async () => {
    const lockPath = path.join(await sandbox.tempDir(), '.locks', 'models--a--b', 'abc.lock');
    const first = await tryLock(lockPath);
    expect(first).toBeDefined();
    expect(JSON.parse(await readFile(lockPath, 'utf8'))).toMatchObject({ pid: process.pid });
    expect(await tryLock(lockPath)).toBeUndefined();
    const waiting = acquireLock(lockPath);
    let acquired = false;
    void waiting.then(() => (acquired = true));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(acquired).toBe(false);
    await first?.release();
    const second = await waiting;
    await second.release();
    expect(await tryLock(lockPath)).toBeDefined();
  });

  it('takes over a lock whose owner is dead, or whose heartbeat stopped', async () => {
    const folder = await sandbox.tempDir();
    const dead = path.join(folder, 'dead.lock');
    // A pid that no process has (above Linux's pid_max).
    await writeFile(dead, JSON.stringify({ pid: 2 ** 22 + 12345, token: 'x' }));
    expect(await tryLock(dead)).toBeDefined();

    const hung = path.join(folder, 'hung.lock');
    await writeFile(hung, JSON.stringify({ pid: process.ppid, token: 'y' }));
    expect(await tryLock(hung, { staleMs: 60_000, heartbeatMs: 1000 })).toBeUndefined();
    const longAgo = new Date(Date.now() - 120_000);
    await utimes(hung, longAgo, longAgo);
    expect(await tryLock(hung, { staleMs: 60_000, heartbeatMs: 1000 })).toBeDefined();
  });

  it('keeps a live lock fresh with its heartbeat', async () => {
    const lockPath = path.join(await sandbox.tempDir(), 'live.lock');
    const held = await tryLock(lockPath, { staleMs: 200, heartbeatMs: 50 });
    await new Promise((resolve) => setTimeout(resolve, 400));
    // Our own pid is alive, and the mtime kept fresh: nobody takes it over.
    expect(await tryLock(lockPath, { staleMs: 200, heartbeatMs: 50 })).toBeUndefined();
    await held?.release();
  });
});
