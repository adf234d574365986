import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Graphs the tests build or prepare are kept in a cache of the run's own (`FILLMASK_CACHE`, which the
 * test processes and the CLIs they start inherit), never in the user's, and removed after the run.
 */
export default function isolatedCache(): () => void {
  const folder = mkdtempSync(join(tmpdir(), 'fillmask-test-cache-'));
  process.env.FILLMASK_CACHE = folder;
  return () => rmSync(folder, { recursive: true, force: true });
}
