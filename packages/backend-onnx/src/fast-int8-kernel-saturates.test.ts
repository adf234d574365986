import { describe, expect, it } from 'vitest';
import { fastInt8KernelSaturates } from './fast-int8-kernel-saturates.js';

describe('fastInt8KernelSaturates', () => {
  it('reads VNNI from the flags line of /proc/cpuinfo on x64', () => {
    expect(fastInt8KernelSaturates('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n', 'x64')).toBe(false);
    expect(fastInt8KernelSaturates('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx_vnni\n', 'x64')).toBe(false);
    expect(fastInt8KernelSaturates('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n', 'x64')).toBe(true);
    // A flag named elsewhere in the listing does not count.
    expect(fastInt8KernelSaturates('model name\t: avx512_vnni lookalike\nflags\t\t: avx2\n', 'x64')).toBe(true);
  });

  it('counts an x64 CPU it cannot read as saturating, and no other architecture', () => {
    expect(fastInt8KernelSaturates('', 'x64')).toBe(true);
    expect(fastInt8KernelSaturates('', 'arm64')).toBe(false);
  });
});
