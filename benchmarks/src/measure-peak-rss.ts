import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ContenderName, ContenderSetup } from './contenders.js';

const run = promisify(execFile);

/** Peak RSS of a fresh process doing the whole throughput workload with one contender. */
export async function measurePeakRss(name: ContenderName, setup: ContenderSetup, sentences: readonly string[]): Promise<number> {
  const sentencesFile = join(tmpdir(), `fillmask-bench-sentences-${process.pid}.json`);
  writeFileSync(sentencesFile, JSON.stringify(sentences));
  const probe = fileURLToPath(new URL('./memory-probe.js', import.meta.url));
  const { stdout } = await run(process.execPath, [probe, name, JSON.stringify(setup), sentencesFile], {
    maxBuffer: 1 << 20,
    timeout: 600_000,
  });
  return (JSON.parse(stdout) as { peakRssBytes: number }).peakRssBytes;
}
