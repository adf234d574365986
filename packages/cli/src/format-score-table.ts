import type { CorpusScore, TextScore } from '@fillmask/core';

const header = `${'PLL'.padStart(12)}  ${'tokens'.padStart(6)}  ${'PPPL'.padStart(10)}  text`;

/** The header line of `fillmask score`'s table. */
export function scoreTableHeader(): string {
  return `${header}\n`;
}

/** One row per text; with per-token scores, one indented line per token under it. */
export function formatScoreRow(text: string, score: TextScore): string {
  const lines = [
    `${score.pll.toFixed(3).padStart(12)}  ${String(score.tokens).padStart(6)}  ${formatPerplexity(score.pppl).padStart(10)}  ${text}`,
  ];
  for (const token of score.perToken ?? []) {
    lines.push(`${token.logProbability.toFixed(3).padStart(12)}  ${''.padStart(6)}  ${''.padStart(10)}    ${token.token}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The closing row: the corpus's summed PLL and tokens, and its pseudo-perplexity. */
export function formatScoreSummary(summary: CorpusScore, texts: number): string {
  return `${summary.pll.toFixed(3).padStart(12)}  ${String(summary.tokens).padStart(6)}  ${formatPerplexity(summary.pppl).padStart(10)}  (all ${texts} text${texts === 1 ? '' : 's'})\n`;
}

function formatPerplexity(value: number): string {
  return Number.isFinite(value) ? value.toFixed(2) : String(value);
}
