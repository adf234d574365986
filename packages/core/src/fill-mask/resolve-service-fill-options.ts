import type { FillOptions, FillProgress } from './fill-options.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { checkTopK, defaultTopK } from './resolve-fill-options.js';

/** A call's options merged with the config's and checked; targets stay strings, for the service to resolve. */
export interface ResolvedServiceFillOptions {
  readonly topK: number;
  readonly targets: readonly string[] | undefined;
  readonly truncation: boolean;
  readonly signal: AbortSignal | undefined;
  readonly onProgress: ((progress: FillProgress) => void) | undefined;
}

/** The checks of `resolveFillOptions`, minus the vocabulary lookup that only a local tokenizer can make. */
export function resolveServiceFillOptions(call: FillOptions | undefined, defaults: FillOptions): ResolvedServiceFillOptions {
  if (call !== undefined && (typeof call !== 'object' || call === null)) {
    throw new InvalidArgumentError({ argument: 'options', value: call, expected: 'an object' });
  }
  const topK = call?.topK ?? defaults.topK ?? defaultTopK;
  checkTopK(topK);
  const truncation = call?.truncation ?? defaults.truncation ?? false;
  if (typeof truncation !== 'boolean') {
    throw new InvalidArgumentError({ argument: 'truncation', value: truncation, expected: 'true or false' });
  }
  const onProgress = call?.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new InvalidArgumentError({ argument: 'onProgress', value: onProgress, expected: 'a function' });
  }
  return { topK, targets: checkTargets(call?.targets ?? defaults.targets), truncation, signal: call?.signal, onProgress };
}

function checkTargets(targets: unknown): readonly string[] | undefined {
  if (targets === undefined) return undefined;
  const list = typeof targets === 'string' ? [targets] : targets;
  if (!Array.isArray(list) || list.some((target) => typeof target !== 'string')) {
    throw new InvalidArgumentError({ argument: 'targets', value: targets, expected: 'a string or an array of strings' });
  }
  if (list.every((target) => target === '')) {
    throw new InvalidArgumentError({ argument: 'targets', value: targets, expected: 'at least one non-empty target' });
  }
  return list;
}
