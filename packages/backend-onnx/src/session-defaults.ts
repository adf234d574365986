import type * as Ort from 'onnxruntime-node';
import { fastInt8KernelSaturates } from './fast-int8-kernel-saturates.js';
import { physicalCoreCount } from './physical-core-count.js';

type SessionOptions = Ort.InferenceSession.SessionOptions;

/**
 * The session options a model gets unless the caller says otherwise:
 * - every graph optimisation, and one intra-op thread per physical core;
 * - intra-op threads that spin, as onnxruntime's own default has them: between the ops of a run,
 *   instead of sleeping and waking per op, and for about 40 ms after it returns (38–40 ms of CPU in
 *   the 100 ms after a call on a 2-core VM, benchmarks/probes/spinning-threads.mjs). Stopping them
 *   as a run returns (`session.force_spinning_stop: '1'`) slowed the runs themselves there: one q8
 *   sentence took 15.0 ms with it against 8.5 ms in the benchmark, though each call started 100 ms
 *   after the last (distilroberta, 2026-11-27 00:57 UTC run, AVX-512 VNNI VM); fp32 19.6 against
 *   18.1 ms; batches as fast either way, within the VM's noise. Pass it to give the core back as
 *   soon as a call returns, when idle CPU matters more than those milliseconds;
 * - exact int8 arithmetic for q8 graphs. Where onnxruntime's fast u8×s8 kernel saturates (x64
 *   without VNNI, see `fastInt8KernelSaturates`; its clipping moved fixture scores by up to 5e-2),
 *   the defaults ask for its u8×u8 kernel (`session.x64quantprecision`); measured on an AVX2 machine: one
 *   input per pass as fast, a batch of 32 in one pass about 25% slower. Elsewhere the fast kernel
 *   is exact already and that setting would only slow it down, for the same answers bit for bit
 *   (create-onnx-backend.test.ts): on the AVX-512 VNNI VM one q8 sentence 11.7 ms against 8.5 ms,
 *   batches 89.7 against 148.7 sentences/s (benchmarks/results.md, `--u8u8`, distilroberta, 2026-11-27 00:57 UTC).
 *   `saturatingInt8` overrides the detection.
 */
export function defaultSessionOptions(saturatingInt8: boolean = fastInt8KernelSaturates()): SessionOptions {
  return {
    graphOptimizationLevel: 'all',
    intraOpNumThreads: physicalCoreCount(),
    extra: { session: { intra_op: { allow_spinning: '1' }, ...(saturatingInt8 ? { x64quantprecision: '1' } : {}) } },
  };
}

/** The caller's options over the defaults; `extra` (onnxruntime's string key-value settings) merges key by key. */
export function mergeSessionOptions(defaults: SessionOptions, overrides: SessionOptions = {}): SessionOptions {
  const merged: SessionOptions = { ...defaults, ...overrides };
  if (defaults.extra !== undefined && overrides.extra !== undefined) merged.extra = mergeRecords(defaults.extra, overrides.extra);
  return merged;
}

function mergeRecords(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const current = merged[key];
    merged[key] = isRecord(current) && isRecord(value) ? mergeRecords(current, value) : value;
  }
  return merged;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
