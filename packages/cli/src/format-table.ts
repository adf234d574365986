import type { MaskPredictions } from '@fillmask/core';
import { abbreviate, excerptAround, firstDifference } from './abbreviate-text.js';

/**
 * A readable block per input: the input, then per mask the ranked tokens with their scores. A long
 * input (kept whole by --truncation) is shown abbreviated, and each long sequence by its part around
 * the filled token, found where it differs from another candidate's sequence for the same mask.
 */
export function formatTable(input: string, masks: readonly MaskPredictions[]): string {
  const lines = [`> ${abbreviate(input)}`];
  masks.forEach((predictions, maskIndex) => {
    if (masks.length > 1) lines.push(`  mask ${maskIndex + 1} of ${masks.length}`);
    const tokenWidth = Math.max(5, ...predictions.map((prediction) => JSON.stringify(prediction.token_str).length));
    lines.push(`  ${'#'.padStart(2)}  ${'token'.padEnd(tokenWidth)}  ${'score'.padStart(7)}  sequence`);
    predictions.forEach((prediction, rank) => {
      const score = `${(prediction.score * 100).toFixed(2)}%`.padStart(7);
      const other = predictions[rank === 0 ? 1 : 0];
      const sequence =
        other === undefined
          ? abbreviate(prediction.sequence)
          : excerptAround(prediction.sequence, firstDifference(prediction.sequence, other.sequence));
      lines.push(`  ${String(rank + 1).padStart(2)}  ${JSON.stringify(prediction.token_str).padEnd(tokenWidth)}  ${score}  ${sequence}`);
    });
  });
  return `${lines.join('\n')}\n`;
}
