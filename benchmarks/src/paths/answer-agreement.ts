/**
 * How far two contenders' answers to the same inputs agree: fill answers (the Python pipeline's
 * shape, one mask per input) and scores. A benchmark whose contenders computed different things would
 * compare nothing.
 */

interface Candidate {
  readonly token: number;
  readonly score: number;
}

export interface FillAgreement {
  readonly inputs: number;
  /** Inputs whose candidates are the same tokens in the same order. */
  readonly sameRanking: number;
  /** Inputs whose rankings differ only by candidates whose scores are within the tie tolerance of each other (float rounding can swap them). */
  readonly tiedRanking: number;
  /** Inputs whose best candidate is the same token. */
  readonly sameTop1: number;
  /** The largest difference between the scores the two give the same token at the same rank. */
  readonly maxScoreDifference: number;
  /** The first input whose ranking differs beyond ties: its index and both rankings' tokens. */
  readonly firstDifference?: { readonly index: number; readonly tokens: readonly [readonly number[], readonly number[]] };
}

/** Compares two lists of fill answers input by input; answers for several masks, or errors, are refused. */
export function compareFills(first: readonly unknown[], second: readonly unknown[], tieTolerance = 1e-5): FillAgreement {
  if (first.length !== second.length) throw new Error(`the two gave ${first.length} and ${second.length} answers`);
  let sameRanking = 0;
  let tiedRanking = 0;
  let sameTop1 = 0;
  let maxScoreDifference = 0;
  let firstDifference: FillAgreement['firstDifference'];
  first.forEach((answer, index) => {
    const [a, b] = [candidates(answer, index), candidates(second[index], index)];
    const same = a.length === b.length && a.every((candidate, rank) => candidate.token === b[rank].token);
    // Where the tokens differ, the first list scores the second's token (or, when it ranks it lower than it lists, the second does) within the tolerance of its own.
    const tied =
      a.length === b.length &&
      a.every((candidate, rank) => {
        if (candidate.token === b[rank].token) return true;
        const other = a.find(({ token }) => token === b[rank].token)?.score ?? b[rank].score;
        return Math.abs(candidate.score - other) <= tieTolerance;
      });
    if (same) sameRanking++;
    else if (tied) tiedRanking++;
    else firstDifference ??= { index, tokens: [a.map(({ token }) => token), b.map(({ token }) => token)] };
    if (a[0]?.token === b[0]?.token) sameTop1++;
    a.forEach((candidate, rank) => {
      if (candidate.token === b[rank]?.token) maxScoreDifference = Math.max(maxScoreDifference, Math.abs(candidate.score - b[rank].score));
    });
  });
  return { inputs: first.length, sameRanking, tiedRanking, sameTop1, maxScoreDifference, ...(firstDifference && { firstDifference }) };
}

function candidates(answer: unknown, index: number): Candidate[] {
  const valid =
    Array.isArray(answer) &&
    answer.every((item) => typeof item?.token === 'number' && typeof item?.score === 'number' && !Array.isArray(item));
  if (!valid) throw new Error(`answer ${index} is not one mask's list of candidates: ${JSON.stringify(answer).slice(0, 200)}`);
  return answer as Candidate[];
}

export interface ScoreAgreement {
  readonly texts: number;
  /** Texts for which the two scored a different number of tokens. */
  readonly tokenCountDifferences: number;
  /** The largest |PLL₁ − PLL₂| ÷ max(|PLL₁|, |PLL₂|) over the texts. */
  readonly maxRelativeDifference: number;
  readonly maxAbsoluteDifference: number;
}

/** Compares two lists of `{pll, tokens}`, text by text. */
export function compareScores(
  first: readonly { readonly pll: number; readonly tokens: number }[],
  second: readonly { readonly pll: number; readonly tokens: number }[],
): ScoreAgreement {
  if (first.length !== second.length) throw new Error(`the two scored ${first.length} and ${second.length} texts`);
  let tokenCountDifferences = 0;
  let maxRelativeDifference = 0;
  let maxAbsoluteDifference = 0;
  first.forEach((score, index) => {
    const other = second[index];
    if (!Number.isFinite(score.pll) || !Number.isFinite(other.pll)) throw new Error(`text ${index} has no finite PLL`);
    if (score.tokens !== other.tokens) tokenCountDifferences++;
    const difference = Math.abs(score.pll - other.pll);
    maxAbsoluteDifference = Math.max(maxAbsoluteDifference, difference);
    if (difference > 0)
      maxRelativeDifference = Math.max(maxRelativeDifference, difference / Math.max(Math.abs(score.pll), Math.abs(other.pll)));
  });
  return { texts: first.length, tokenCountDifferences, maxRelativeDifference, maxAbsoluteDifference };
}
