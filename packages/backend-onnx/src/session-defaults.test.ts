import { describe, expect, it } from 'vitest';
import { fastInt8KernelSaturates } from './fast-int8-kernel-saturates.js';
import { defaultSessionOptions, mergeSessionOptions } from './session-defaults.js';

describe('session options', () => {
  it('default to all optimisations, one thread per physical core, spinning threads and exact int8 products', () => {
    const defaults = defaultSessionOptions(true);
    expect(defaults.graphOptimizationLevel).toBe('all');
    expect(defaults.intraOpNumThreads).toBeGreaterThanOrEqual(1);
    expect(defaults.extra).toEqual({ session: { intra_op: { allow_spinning: '1' }, x64quantprecision: '1' } });
  });

  it("keep onnxruntime's fast int8 kernel where it does not saturate, and detect that by default", () => {
    expect(defaultSessionOptions(false).extra).toEqual({ session: { intra_op: { allow_spinning: '1' } } });
    expect(defaultSessionOptions()).toEqual(defaultSessionOptions(fastInt8KernelSaturates()));
  });

  it("take the caller's values over the defaults, merging extra key by key", () => {
    const merged = mergeSessionOptions(defaultSessionOptions(true), {
      intraOpNumThreads: 1,
      extra: { session: { intra_op: { allow_spinning: '0' }, use_env_allocators: '1' } },
    });
    expect(merged.intraOpNumThreads).toBe(1);
    expect(merged.graphOptimizationLevel).toBe('all');
    expect(merged.extra).toEqual({ session: { intra_op: { allow_spinning: '0' }, x64quantprecision: '1', use_env_allocators: '1' } });
    expect(mergeSessionOptions(defaultSessionOptions(true), { extra: { optimization: { enable_gelu_approximation: '0' } } }).extra).toEqual(
      {
        session: { intra_op: { allow_spinning: '1' }, x64quantprecision: '1' },
        optimization: { enable_gelu_approximation: '0' },
      },
    );
  });
});
