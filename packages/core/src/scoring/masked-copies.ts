import type { ScoreMode } from './score-options.js';
import type { ScoredText } from './encode-scored-text.js';

/** One forward pass's worth of a text: `target` is scored, every position of `masked` (target included) is masked. */
export interface MaskedCopy {
  readonly target: number;
  readonly masked: readonly number[];
}

/**
 * The masked copies that score a text, one per scored token, in text order. In `token` mode only the
 * target is masked; in `word-l2r` mode the target and the later tokens of its word (`wordIds`, see
 * word-ids.ts) are.
 */
export function maskedCopies(text: ScoredText, mode: ScoreMode, wordIds: readonly number[]): MaskedCopy[] {
  return text.scoredPositions.map((target) => {
    if (mode === 'token') return { target, masked: [target] };
    const masked = [target];
    for (let position = target + 1; position < wordIds.length && wordIds[position] === wordIds[target]; position++) {
      masked.push(position);
    }
    return { target, masked };
  });
}
