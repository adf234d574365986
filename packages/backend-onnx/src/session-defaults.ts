import type * as Ort from 'onnxruntime-node';
import { fastInt8KernelSaturates } from './fast-int8-kernel-saturates.js';
import { physicalCoreCount } from './physical-core-count.js';

type SessionOptions = Ort.InferenceSession.SessionOptions;

/**
 * The session options a model gets unless the caller says otherwise:
 * - every graph optimisation, and one intra-op thread per physical core;
 * - intra-op threads that spin, as onnxruntime's own default has them: between the ops of a run,
 *   instead of sleeping and waking per op, and for a while after it returns. Stopping them as a run
 *   returns (`session.force_spinning_stop: '1'`) slows the runs themselves, even when calls come
 *   apart, and batches gain nothing from it. Pass it to give the core back as soon as a call
 *   returns, when idle CPU matters more than latency (docs/performance.md);
 * - exact int8 arithmetic for q8 graphs. Where onnxruntime's fast u8×s8 kernel saturates (x64
 *   without VNNI, see `fastInt8KernelSaturates`; its clipping moves scores and reorders candidates),
 *   the defaults ask for its u8×u8 kernel (`session.x64quantprecision`), which costs batches more
 *   than single inputs. Elsewhere the fast kernel is exact already and that setting would only slow
 *   it down, for the same answers bit for bit (create-onnx-backend.test.ts; the costs are in
 *   docs/performance.md). `saturatingInt8` overrides the detection.
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

/** Whether the options ask onnxruntime for its exact u8×u8 int8 kernel (`session.x64quantprecision`), which takes uint8 weights. */
export function asksExactInt8Kernel(options: SessionOptions): boolean {
  const session = options.extra?.session;
  return isRecord(session) && String(session.x64quantprecision) === '1';
}
