import { describe, expect, it } from 'vitest';
import { availableParallelism } from 'node:os';
import { coresInCpuInfo, physicalCoreCount } from './physical-core-count.js';

const processor = (index: number, socket: number, core: number) =>
  `processor\t: ${index}\nphysical id\t: ${socket}\ncore id\t\t: ${core}\n`;

describe('physicalCoreCount', () => {
  it('counts each core once when hyper-threading lists it twice', () => {
    const cpuInfo = [processor(0, 0, 0), processor(1, 0, 1), processor(2, 0, 0), processor(3, 0, 1)].join('\n');
    expect(coresInCpuInfo(cpuInfo)).toBe(2);
  });

  it('tells cores of different sockets apart', () => {
    expect(coresInCpuInfo([processor(0, 0, 0), processor(1, 1, 0)].join('\n'))).toBe(2);
  });

  it('falls back to the logical count when the listing has no core ids or cannot be read', () => {
    expect(physicalCoreCount('processor\t: 0\nmodel name\t: some arm chip\n')).toBe(availableParallelism());
    // readCpuInfo gives '' where /proc/cpuinfo cannot be read.
    expect(physicalCoreCount('')).toBe(availableParallelism());
  });
});
