import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { FillMaskWarningHandler } from './fill-mask-warning.js';
import type { FillOptions, FillProgress } from './fill-options.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { resolveTargets } from './resolve-targets.js';

export const defaultTopK = 5;

/** A call's options merged with the config's and checked, targets turned into ids. */
export interface ResolvedFillOptions {
  readonly topK: number;
  readonly targetIds: Int32Array | undefined;
  readonly truncation: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: FillProgress) => void) | undefined;
}

export function resolveFillOptions(
  call: FillOptions | undefined,
  defaults: FillOptions,
  tokenizer: FillMaskTokenizer,
  warn: FillMaskWarningHandler,
): ResolvedFillOptions {
  if (call !== undefined && (typeof call !== 'object' || call === null)) {
    throw new InvalidArgumentError({ argument: 'options', value: call, expected: 'an object' });
  }
  const topK = call?.topK ?? defaults.topK ?? defaultTopK;
  checkTopK(topK);
  const targets = call?.targets ?? defaults.targets;
  const truncation = call?.truncation ?? defaults.truncation ?? false;
  if (typeof truncation !== 'boolean') {
    throw new InvalidArgumentError({ argument: 'truncation', value: truncation, expected: 'true or false' });
  }
  const onProgress = call?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError({ argument: 'onProgress', value: onProgress, expected: 'a function' });
  }
  return {
    topK,
    targetIds: targets === undefined ? undefined : resolveTargets(targets, tokenizer, warn),
    truncation,
    signal: call?.signal,
    onProgress,
  };
}

export function checkTopK(topK: unknown): asserts topK is number {
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1) {
    throw new InvalidArgumentError({ argument: 'topK', value: topK, expected: 'an integer of at least 1' });
  }
}
