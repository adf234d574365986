export { createScorer } from './create-scorer.js';
export type { MaskedLmScorer } from './masked-lm-scorer.js';
export type { ScorerConfig } from './scorer-config.js';
export { scoreModes, type ScoreMode, type ScoreOptions, type ScoreProgress } from './score-options.js';
export type { TextScore, TokenScore, CorpusScore, ScoreSettledResult } from './text-score.js';
export { summarizeScores, pseudoPerplexity } from './summarize-scores.js';
export { detectSubwordScheme, type SubwordScheme } from './subword-scheme.js';
export { wordIds } from './word-ids.js';
