import { describe, expect, it } from 'vitest';
import { cpuMsFromStat, processCpuMs } from './process-cpu-time.js';

describe('cpuMsFromStat', () => {
  it('adds user and system time, in ms, whatever the command name holds', () => {
    const stat = '4242 (node (my) worker) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1234 56 0 0 20 0 11 0 100 2000000 30000';
    expect(cpuMsFromStat(stat)).toBe(12_900);
  });
});

describe('processCpuMs', () => {
  it('reads this process, and nothing for a process that does not exist', () => {
    if (process.platform === 'linux') expect(processCpuMs(process.pid)).toBeGreaterThan(0);
    expect(processCpuMs(2 ** 30)).toBeUndefined();
  });
});
