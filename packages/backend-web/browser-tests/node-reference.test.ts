import { describe, expect, it } from 'vitest';
import { unfusedInt8IsExact } from './node-reference.test-helper.js';

describe.runIf(process.arch === 'x64')('which Node run reproduces WebAssembly q8 arithmetic', () => {
  it('reads VNNI from the flags line of /proc/cpuinfo', () => {
    expect(unfusedInt8IsExact('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f avx512_vnni\n')).toBe(true);
    expect(unfusedInt8IsExact('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx_vnni\n')).toBe(true);
    expect(unfusedInt8IsExact('processor\t: 0\nflags\t\t: fpu sse2 avx2 avx512f\n')).toBe(false);
    // A flag named elsewhere in the listing does not count.
    expect(unfusedInt8IsExact('model name\t: avx512_vnni lookalike\nflags\t\t: avx2\n')).toBe(false);
    expect(unfusedInt8IsExact('')).toBe(false);
  });
});
