import type { BenchmarkEnvironment } from './write-results.js';

/** A machine and versions for the results writers' tests: x64 with AVX2 and no VNNI, where fast int8 sums saturate, unless overridden. */
export function testEnvironment(overrides: Partial<BenchmarkEnvironment> = {}): BenchmarkEnvironment {
  return {
    cpu: 'Test CPU',
    logicalCores: 2,
    int8Instructions: 'AVX2, no VNNI',
    saturatingInt8: true,
    memoryGiB: 24,
    node: 'v20.20.2',
    onnxruntimeNode: '1.30.0',
    transformersJs: '4.3.1',
    fillmask: '0.1.0',
    ...overrides,
  };
}
