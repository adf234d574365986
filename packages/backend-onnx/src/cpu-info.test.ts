import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readCpuInfo } from './cpu-info.js';

describe('readCpuInfo', () => {
  it("gives Linux's listing, or '' where there is none", () => {
    if (existsSync('/proc/cpuinfo')) expect(readCpuInfo()).toMatch(/^processor\s*:/m);
    else expect(readCpuInfo()).toBe('');
  });
});
