import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, rename, rm, stat, utimes } from 'node:fs/promises';
import path from 'node:path';
import { isMissingFileError } from './is-missing-file-error.js';

/** A held lock; release it exactly once. */
export interface HeldLock {
  release(): Promise<void>;
}

export interface LockTiming {
  /** A lock whose file was not touched for this long is abandoned (its owner hangs or died on another machine). */
  readonly staleMs: number;
  /** How often the owner touches its lock file. */
  readonly heartbeatMs: number;
}

const defaultTiming: LockTiming = { staleMs: 30_000, heartbeatMs: 5_000 };

interface LockOwner {
  readonly pid: number;
  readonly token: string;
}

/**
 * A lock across processes (and threads) without native code, at huggingface_hub's place for blob
 * locks (`<cache>/.locks/models--org--name/<etag>.lock`): the lock is a file created exclusively
 * (`wx`) holding its owner's pid and a token, whose mtime the owner refreshes as a heartbeat. A lock
 * whose owner is dead (same machine: `kill(pid, 0)` fails with ESRCH) or whose heartbeat stopped is
 * taken over.
 */
export async function tryLock(lockPath: string, timing: LockTiming = defaultTiming): Promise<HeldLock | undefined> {
  await mkdir(path.dirname(lockPath), { recursive: true });
  const owner: LockOwner = { pid: process.pid, token: randomBytes(8).toString('hex') };
  for (let tries = 0; tries < 3; tries += 1) {
    try {
      const handle = await open(lockPath, 'wx');
      try {
        await handle.writeFile(JSON.stringify(owner));
      } finally {
        await handle.close();
      }
      return hold(lockPath, owner, timing);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    if (!(await takeOverIfAbandoned(lockPath, timing))) return undefined;
  }
  return undefined;
}

/** Waits for the lock, polling with backoff (50 ms up to 1 s), as long as its holder is alive. */
export async function acquireLock(lockPath: string, timing: LockTiming = defaultTiming): Promise<HeldLock> {
  for (let wait = 50; ; wait = Math.min(wait * 2, 1000)) {
    const held = await tryLock(lockPath, timing);
    if (held !== undefined) return held;
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}

function hold(lockPath: string, owner: LockOwner, timing: LockTiming): HeldLock {
  const heartbeat = setInterval(() => {
    const now = new Date();
    utimes(lockPath, now, now).catch(() => undefined);
  }, timing.heartbeatMs);
  heartbeat.unref();
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      clearInterval(heartbeat);
      // Only our own lock: it may have been taken over if this process stalled past staleMs.
      if ((await readOwner(lockPath))?.token === owner.token) await rm(lockPath, { force: true });
    },
  };
}

async function readOwner(lockPath: string): Promise<LockOwner | undefined> {
  try {
    const parsed = JSON.parse(await readFile(lockPath, 'utf8')) as Partial<LockOwner>;
    return typeof parsed.pid === 'number' && typeof parsed.token === 'string' ? { pid: parsed.pid, token: parsed.token } : undefined;
  } catch {
    return undefined;
  }
}

/** Removes the lock file when its owner is gone; true when the caller may try to create it again. */
async function takeOverIfAbandoned(lockPath: string, timing: LockTiming): Promise<boolean> {
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(lockPath)).mtimeMs;
  } catch (error) {
    if (isMissingFileError(error)) return true;
    throw error;
  }
  const owner = await readOwner(lockPath);
  const stale = Date.now() - mtimeMs > timing.staleMs;
  // An unreadable lock younger than staleMs is being written: wait for it.
  if (!stale && (owner === undefined || isAlive(owner.pid))) return false;
  // Move it aside atomically: of several processes taking over, one moves it, the others find it gone.
  const aside = `${lockPath}.stale.${randomBytes(6).toString('hex')}`;
  try {
    await rename(lockPath, aside);
  } catch (error) {
    if (isMissingFileError(error)) return true;
    throw error;
  }
  const moved = await readOwner(aside);
  if (owner !== undefined && moved?.token !== owner.token) {
    // Another process took over between our look and the move: put its live lock back, unless yet another exists.
    await link(aside, lockPath).catch(() => undefined);
  }
  await rm(aside, { force: true });
  return true;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}
