import { readFileSync } from 'node:fs';

/** Linux's USER_HZ, the unit of /proc/<pid>/stat's times: 100 on every architecture Node runs on. */
const ticksPerSecond = 100;

/** The CPU time (user + system, its threads included) a live process has used, in ms; undefined off Linux or once it is gone. */
export function processCpuMs(pid: number): number | undefined {
  try {
    return cpuMsFromStat(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** utime + stime of a /proc/<pid>/stat line (fields 14 and 15; the command name in parentheses may hold spaces), in ms. */
export function cpuMsFromStat(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // fields[0] is field 3 (state): utime and stime are fields 14 and 15.
  return ((Number(fields[11]) + Number(fields[12])) / ticksPerSecond) * 1000;
}
