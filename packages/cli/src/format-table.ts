import type { MaskPredictions } from '@fillmask/core';

/** A readable block per input: the input, then per mask the ranked tokens with their scores. */
export function formatTable(input: string, masks: readonly MaskPredictions[]): string {
  const lines = [`> ${input}`];
  masks.forEach((predictions, maskIndex) => {
    if (masks.length > 1) lines.push(`  mask ${maskIndex + 1} of ${masks.length}`);
    const tokenWidth = Math.max(5, ...predictions.map((prediction) => JSON.stringify(prediction.token_str).length));
    lines.push(`  ${'#'.padStart(2)}  ${'token'.padEnd(tokenWidth)}  ${'score'.padStart(7)}  sequence`);
    predictions.forEach((prediction, rank) => {
      const score = `${(prediction.score * 100).toFixed(2)}%`.padStart(7);
      lines.push(
        `  ${String(rank + 1).padStart(2)}  ${JSON.stringify(prediction.token_str).padEnd(tokenWidth)}  ${score}  ${prediction.sequence}`,
      );
    });
  });
  return `${lines.join('\n')}\n`;
}
