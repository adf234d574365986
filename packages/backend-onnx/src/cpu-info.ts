import { readFileSync } from 'node:fs';

/** Linux's /proc/cpuinfo, or '' where there is none (macOS, Windows) or it cannot be read. */
export function readCpuInfo(): string {
  try {
    return readFileSync('/proc/cpuinfo', 'utf8');
  } catch {
    return '';
  }
}
