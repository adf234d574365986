import { copyFile, mkdir, rename, rm, stat, symlink } from 'node:fs/promises';
import path from 'node:path';
import { incompleteFileName } from './incomplete-file-name.js';

/**
 * Makes `snapshots/<commit>/<path>` point at its blob: a relative symlink as huggingface_hub makes,
 * or a copy where symlinks are not allowed (Windows without developer mode, some network drives).
 */
export async function linkSnapshotFile(blobPath: string, snapshotPath: string): Promise<void> {
  await mkdir(path.dirname(snapshotPath), { recursive: true });
  const target = path.relative(path.dirname(snapshotPath), blobPath);
  try {
    await symlink(target, snapshotPath);
    return;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      // Another process linked it first, or an old link lost its blob: keep a working one, replace a broken one.
      if (await isFile(snapshotPath)) return;
      await rm(snapshotPath, { force: true });
      return linkSnapshotFile(blobPath, snapshotPath);
    }
    if (code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP' && code !== 'EINVAL' && code !== 'ENOSYS') throw error;
  }
  await copyIntoPlace(blobPath, snapshotPath);
}

async function copyIntoPlace(blobPath: string, snapshotPath: string): Promise<void> {
  const temporary = incompleteFileName(snapshotPath);
  try {
    await copyFile(blobPath, temporary);
    await rename(temporary, snapshotPath);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await stat(filePath)).isFile();
  } catch {
    return false;
  }
}
