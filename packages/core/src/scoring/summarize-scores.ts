import type { CorpusScore, TextScore } from './text-score.js';

/**
 * The corpus score of many texts: PLLs and token counts summed, then `pppl = exp(-Σ pll / Σ tokens)`
 * (a token-weighted average, not the mean of the texts' own pseudo-perplexities). No texts: pll 0,
 * tokens 0, pppl NaN.
 */
export function summarizeScores(scores: Iterable<Pick<TextScore, 'pll' | 'tokens'>>): CorpusScore {
  let pll = 0;
  let tokens = 0;
  for (const score of scores) {
    pll += score.pll;
    tokens += score.tokens;
  }
  return { pll, tokens, pppl: pseudoPerplexity(pll, tokens) };
}

export function pseudoPerplexity(pll: number, tokens: number): number {
  return tokens === 0 ? Number.NaN : Math.exp(-pll / tokens);
}
