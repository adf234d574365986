import { availableParallelism } from 'node:os';
import { readCpuInfo } from './cpu-info.js';

/**
 * Physical cores, the default intra-op thread count: a second hardware thread on the same core
 * shares its vector units, so it adds contention to a matrix multiply rather than speed. Linux
 * lists them in /proc/cpuinfo; elsewhere, the logical count is the best guess Node offers.
 */
export function physicalCoreCount(cpuInfo: string = readCpuInfo()): number {
  return coresInCpuInfo(cpuInfo) ?? availableParallelism();
}

/** Distinct (physical id, core id) pairs, or undefined when the listing does not give them. */
export function coresInCpuInfo(cpuInfo: string): number | undefined {
  const cores = new Set<string>();
  for (const block of cpuInfo.split(/\n\s*\n/)) {
    const socket = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (socket !== undefined && core !== undefined) cores.add(`${socket}:${core}`);
  }
  return cores.size > 0 ? cores.size : undefined;
}
