import { describe, expect, it } from 'vitest';
import { compareFills, compareScores } from './answer-agreement.js';

const answer = (...candidates: [token: number, score: number][]) =>
  candidates.map(([token, score]) => ({ token, score, token_str: `t${token}`, sequence: '' }));

describe('compareFills', () => {
  it('counts the same rankings, the rankings that differ only by a swap of tied scores, and the same best tokens', () => {
    const first = [answer([1, 0.5], [2, 0.3]), answer([3, 0.4], [4, 0.4000001]), answer([5, 0.6], [6, 0.1]), answer([7, 0.9], [8, 0.05])];
    const second = [
      answer([1, 0.5000002], [2, 0.3]),
      answer([4, 0.4000001], [3, 0.4]),
      answer([6, 0.6], [5, 0.1]),
      answer([7, 0.9], [9, 0.04]),
    ];
    expect(compareFills(first, second)).toEqual({
      inputs: 4,
      sameRanking: 1,
      tiedRanking: 1,
      sameTop1: 2,
      maxScoreDifference: expect.closeTo(2e-7, 9),
      firstDifference: {
        index: 2,
        tokens: [
          [5, 6],
          [6, 5],
        ],
      },
    });
  });

  it('refuses lists of different lengths, errors and answers for several masks', () => {
    expect(() => compareFills([answer([1, 1])], [])).toThrow(/1 and 0 answers/);
    expect(() => compareFills([{ error: 'too long' }], [answer([1, 1])])).toThrow(/answer 0/);
    expect(() => compareFills([[answer([1, 1])]], [[answer([1, 1])]])).toThrow(/answer 0/);
  });
});

describe('compareScores', () => {
  it('gives the largest relative and absolute PLL differences and counts different token counts', () => {
    const agreement = compareScores(
      [
        { pll: -100, tokens: 10 },
        { pll: -20, tokens: 4 },
      ],
      [
        { pll: -100.01, tokens: 10 },
        { pll: -20.004, tokens: 5 },
      ],
    );
    expect(agreement.texts).toBe(2);
    expect(agreement.tokenCountDifferences).toBe(1);
    expect(agreement.maxRelativeDifference).toBeCloseTo(0.004 / 20.004, 9);
    expect(agreement.maxAbsoluteDifference).toBeCloseTo(0.01, 9);
  });

  it('refuses lists of different lengths and scores that are not finite', () => {
    expect(() => compareScores([{ pll: -1, tokens: 1 }], [])).toThrow(/1 and 0 texts/);
    expect(() => compareScores([{ pll: Number.NaN, tokens: 1 }], [{ pll: -1, tokens: 1 }])).toThrow(/finite/);
  });
});
