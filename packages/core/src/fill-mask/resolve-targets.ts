import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { FillMaskWarningHandler } from './fill-mask-warning.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';

/**
 * Turns target strings into vocabulary ids as the Python pipeline does: an exact vocabulary entry,
 * else the first sub-token of its encoding (with a warning), duplicates removed.
 */
export function resolveTargets(
  targets: string | readonly string[],
  tokenizer: FillMaskTokenizer,
  warn: FillMaskWarningHandler,
): Int32Array {
  const list = typeof targets === 'string' ? [targets] : targets;
  if (!Array.isArray(list) || list.some((target) => typeof target !== 'string')) {
    throw new InvalidArgumentError({ argument: 'targets', value: targets, expected: 'a string or an array of strings' });
  }
  const ids = new Set<number>();
  for (const target of list) {
    const exact = tokenizer.tokenToId(target);
    if (exact !== undefined) {
      ids.add(exact);
      continue;
    }
    const [first] = target === '' ? [] : tokenizer.encode(target, { addSpecialTokens: false }).ids;
    if (first === undefined) {
      warn({
        code: 'target-ignored',
        target,
        message: `Target ${JSON.stringify(target)} is not in the model's vocabulary and encodes to nothing; it is ignored.`,
      });
      continue;
    }
    warn({
      code: 'target-replaced',
      target,
      message: `Target ${JSON.stringify(target)} is not in the model's vocabulary; it is replaced by its first sub-token ${JSON.stringify(tokenizer.idToToken(first))}.`,
    });
    ids.add(first);
  }
  if (ids.size === 0) {
    throw new InvalidArgumentError({ argument: 'targets', value: targets, expected: 'at least one target the tokenizer can encode' });
  }
  return Int32Array.from(ids);
}
