import { readFileSync } from 'node:fs';

/** A process's memory as /proc/<pid>/status gives it, in bytes. */
export interface MemoryStatus {
  /** VmRSS: resident now. */
  readonly rssBytes: number;
  /** VmHWM: the highest VmRSS so far. */
  readonly peakRssBytes: number;
  /** RssAnon: the resident memory of its own (heaps, buffers, copies of weights). */
  readonly anonymousBytes: number;
  /** RssFile: the resident pages of mapped files (its code, and a model file onnxruntime maps), which the kernel can drop and read again. */
  readonly fileBytes: number;
}

/**
 * This process's own peak resident set size: VmHWM, the high-water mark of its address space, which
 * starts afresh at exec. getrusage's maxRSS does not: Linux carries it over from the spawning
 * process, so a child of a large benchmark process would report the parent's size.
 */
export function peakRssBytes(): number {
  return memoryStatus('self')?.peakRssBytes ?? process.resourceUsage().maxRSS * 1024;
}

/** /proc/<pid>/status's sizes; undefined off Linux or once the process is gone. */
export function memoryStatus(pid: number | 'self'): MemoryStatus | undefined {
  let status: string;
  try {
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return undefined;
  }
  const bytes = (field: string) => {
    const kilobytes = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
    return kilobytes === undefined ? undefined : Number(kilobytes) * 1024;
  };
  const [rssBytes, peakRssBytes, anonymousBytes, fileBytes] = ['VmRSS', 'VmHWM', 'RssAnon', 'RssFile'].map(bytes);
  if (rssBytes === undefined || peakRssBytes === undefined) return undefined;
  return { rssBytes, peakRssBytes, anonymousBytes: anonymousBytes ?? 0, fileBytes: fileBytes ?? 0 };
}
