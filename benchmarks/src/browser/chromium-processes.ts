import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { memoryStatus } from '../process-memory.js';

const run = promisify(execFile);

/** One line of `ps -eo pid=,ppid=,rss=,args=`. */
export interface ProcessRow {
  readonly pid: number;
  readonly ppid: number;
  /** Resident set size, bytes (ps gives KiB). */
  readonly rssBytes: number;
  readonly args: string;
}

/** The rows of `ps -eo pid=,ppid=,rss=,args=` output; lines that are not such a row are skipped. */
export function parsePsRows(output: string): ProcessRow[] {
  const rows: ProcessRow[] = [];
  for (const line of output.split('\n')) {
    const match = /^\s*(\d+)\s+(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (match) rows.push({ pid: Number(match[1]), ppid: Number(match[2]), rssBytes: Number(match[3]) * 1024, args: match[4] });
  }
  return rows;
}

/** The processes below `rootPid` (children, their children, ...), not `rootPid` itself. */
export function descendantsOf(rows: readonly ProcessRow[], rootPid: number): ProcessRow[] {
  const below = new Set([rootPid]);
  const found: ProcessRow[] = [];
  // Parents may be listed after their children: repeat until no row joins.
  for (let grew = true; grew; ) {
    grew = false;
    for (const row of rows) {
      if (below.has(row.ppid) && !below.has(row.pid)) {
        below.add(row.pid);
        found.push(row);
        grew = true;
      }
    }
  }
  return found;
}

/** A Chromium renderer (`--type=renderer`): where a page's JS heap, its WebAssembly memory and its workers live. */
export function isRenderer(row: ProcessRow): boolean {
  return /\s--type=renderer(\s|$)/.test(` ${row.args}`);
}

/** What the Chromium processes started by this process hold, in bytes. */
export interface ChromiumMemory {
  /** VmRSS summed over the renderers. */
  readonly rendererRssBytes: number;
  /** VmHWM summed over the renderers: each one's highest RSS since it started. */
  readonly rendererPeakRssBytes: number;
  /** RssAnon summed over the renderers: their own pages, without mapped files (code, fonts). */
  readonly rendererAnonymousBytes: number;
  readonly renderers: number;
  /** RSS summed over every Chromium process (browser, GPU, network and storage services, renderers). */
  readonly allRssBytes: number;
}

/**
 * The memory of the Chromium processes this process started (playwright launches Chromium as its
 * child): `ps` finds them, /proc gives each renderer's RSS and high-water mark.
 */
export async function chromiumMemory(rootPid: number = process.pid): Promise<ChromiumMemory> {
  const { stdout } = await run('ps', ['-eo', 'pid=,ppid=,rss=,args='], { maxBuffer: 16 << 20 });
  const processes = descendantsOf(parsePsRows(stdout), rootPid);
  const renderers = processes
    .filter(isRenderer)
    .map(
      (row) => memoryStatus(row.pid) ?? { rssBytes: row.rssBytes, peakRssBytes: row.rssBytes, anonymousBytes: row.rssBytes, fileBytes: 0 },
    );
  const sum = (values: readonly number[]) => values.reduce((total, value) => total + value, 0);
  return {
    rendererRssBytes: sum(renderers.map((status) => status.rssBytes)),
    rendererPeakRssBytes: sum(renderers.map((status) => status.peakRssBytes)),
    rendererAnonymousBytes: sum(renderers.map((status) => status.anonymousBytes)),
    renderers: renderers.length,
    allRssBytes: sum(processes.map((row) => row.rssBytes)),
  };
}
