import { describe, expect, it } from 'vitest';
import { topCandidates, type Candidate } from './top-candidates.js';

/** Deterministic uniform numbers in [0, 1) (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The float64 reference: probabilities by log-sum-exp, the exponentials added smallest first with
 * Kahan compensation (a different summation from the implementation's), and the ranking by a full
 * sort, higher logit first, lower id first on ties.
 */
function reference(row: ArrayLike<number>, topK: number, candidateIds?: readonly number[]): Candidate[] {
  const values = Array.from(row, Number);
  const max = Math.max(...values);
  const exponentials = values.map((value) => Math.exp(value - max)).sort((a, b) => a - b);
  let sum = 0;
  let compensation = 0;
  for (const value of exponentials) {
    const y = value - compensation;
    const t = sum + y;
    compensation = t - sum - y;
    sum = t;
  }
  const logSumExp = max + Math.log(sum);
  const ids = candidateIds ? [...candidateIds] : values.map((_, id) => id);
  return ids
    .sort((a, b) => values[b] - values[a] || a - b)
    .slice(0, topK)
    .map((id) => ({ id, score: Math.exp(values[id] - logSumExp) }));
}

function expectCandidates(actual: Candidate[], expected: Candidate[], relativeTolerance = 1e-12): void {
  expect(actual.map((candidate) => candidate.id)).toEqual(expected.map((candidate) => candidate.id));
  actual.forEach((candidate, rank) => {
    const target = expected[rank].score;
    expect(Math.abs(candidate.score - target), `rank ${rank}`).toBeLessThanOrEqual(relativeTolerance * target);
  });
}

describe('topCandidates', () => {
  it('computes the softmax as float64 does, from float32 logits', () => {
    const next = random(1);
    const logits = Float32Array.from({ length: 30522 }, () => (next() - 0.5) * 20);
    const result = topCandidates(logits, 0, logits.length, 10);
    expect(result).toHaveLength(10);
    expectCandidates(result, reference(logits, 10));
    expect(result[0].score).toBeGreaterThan(result[9].score);
  });

  it('gives probabilities that sum to 1 over the whole row', () => {
    const next = random(2);
    const logits = Float32Array.from({ length: 5000 }, () => next() * 12 - 4);
    const result = topCandidates(logits, 0, logits.length, logits.length);
    expect(result).toHaveLength(5000);
    expect(new Set(result.map((candidate) => candidate.id)).size).toBe(5000);
    expect(Math.abs(result.reduce((sum, candidate) => sum + candidate.score, 0) - 1)).toBeLessThan(1e-12);
  });

  it('a small exact case: softmax of [0, ln 2, ln 3, ln 4] is [0.1, 0.2, 0.3, 0.4]', () => {
    // Logits that float32 holds exactly enough for 1e-7: scores are 0.1·k up to float32 rounding.
    const logits = Float32Array.from([0, Math.log(2), Math.log(3), Math.log(4)]);
    const result = topCandidates(logits, 0, 4, 4);
    expect(result.map((candidate) => candidate.id)).toEqual([3, 2, 1, 0]);
    for (const [rank, score] of [0.4, 0.3, 0.2, 0.1].entries()) expect(result[rank].score).toBeCloseTo(score, 7);
  });

  it('ranks ties by the lower id first', () => {
    const logits = Float32Array.from([1, 3, 3, 2, 3, 0, 3]);
    expect(topCandidates(logits, 0, 7, 3).map((candidate) => candidate.id)).toEqual([1, 2, 4]);
    expect(topCandidates(logits, 0, 7, 5).map((candidate) => candidate.id)).toEqual([1, 2, 4, 6, 3]);
    expect(topCandidates(logits, 0, 7, 1).map((candidate) => candidate.id)).toEqual([1]);
    const tied = topCandidates(logits, 0, 7, 4);
    expect(tied.map((candidate) => candidate.score)).toEqual(new Array(4).fill(tied[0].score));
  });

  it('matches a full sort on rows full of ties, for every topK', () => {
    const next = random(3);
    for (let trial = 0; trial < 20; trial++) {
      // Few distinct values, so ties reach the heap in every order.
      const logits = Float32Array.from({ length: 97 }, () => Math.floor(next() * 6));
      for (const topK of [1, 2, 3, 5, 8, 13, 50, 96, 97]) {
        expectCandidates(topCandidates(logits, 0, logits.length, topK), reference(logits, topK));
      }
    }
  });

  it('returns the whole row, ranked, when topK is larger than the row', () => {
    const logits = Float32Array.from([0.5, -1, 2, 0.5]);
    const result = topCandidates(logits, 0, 4, 10);
    expect(result.map((candidate) => candidate.id)).toEqual([2, 0, 3, 1]);
    expectCandidates(result, reference(logits, 4));
  });

  it('ranks only candidateIds, with probabilities over the whole row (not renormalised)', () => {
    const next = random(4);
    const logits = Float32Array.from({ length: 1000 }, () => (next() - 0.5) * 8);
    const candidates = [907, 3, 512, 77, 250];
    const result = topCandidates(logits, 0, logits.length, 10, Int32Array.from(candidates));
    expect(result).toHaveLength(5);
    expect(new Set(result.map((candidate) => candidate.id))).toEqual(new Set(candidates));
    expectCandidates(result, reference(logits, 10, candidates));
    const full = topCandidates(logits, 0, logits.length, logits.length);
    for (const candidate of result) {
      expect(candidate.score).toBe(full.find((entry) => entry.id === candidate.id)!.score);
    }
    expect(result.reduce((sum, candidate) => sum + candidate.score, 0)).toBeLessThan(0.05);
  });

  it('keeps the best topK of the candidates, whatever their order', () => {
    const logits = Float32Array.from([5, 1, 4, 2, 3]);
    expect(topCandidates(logits, 0, 5, 2, Int32Array.from([1, 3, 4])).map((candidate) => candidate.id)).toEqual([4, 3]);
    expect(topCandidates(logits, 0, 5, 2, Int32Array.from([4, 3, 1])).map((candidate) => candidate.id)).toEqual([4, 3]);
    expect(topCandidates(logits, 0, 5, 3, Int32Array.from([1]))).toHaveLength(1);
  });

  it('is numerically stable for logits like 1000 and -1000', () => {
    const logits = Float32Array.from([1000, -1000, 999, -1000]);
    const result = topCandidates(logits, 0, 4, 4);
    expect(result.map((candidate) => candidate.id)).toEqual([0, 2, 1, 3]);
    const e = Math.exp(-1);
    expect(result[0].score).toBeCloseTo(1 / (1 + e), 15);
    expect(result[1].score).toBeCloseTo(e / (1 + e), 15);
    expect(result[2].score).toBe(0);
    expect(result[3].score).toBe(0);
    for (const candidate of result) expect(Number.isFinite(candidate.score)).toBe(true);

    expect(topCandidates(Float32Array.from([1000, 1000]), 0, 2, 2).map((candidate) => candidate.score)).toEqual([0.5, 0.5]);
    expect(topCandidates(Float32Array.from([-1000, -1000, -1000, -1000]), 0, 4, 1)[0]).toEqual({ id: 0, score: 0.25 });
    const large = topCandidates(Float32Array.from([3.0e38, 3.0e38, -3.0e38]), 0, 3, 3);
    expect(large.map((candidate) => candidate.score)).toEqual([0.5, 0.5, 0]);
  });

  it('gives -Infinity logits probability 0', () => {
    const result = topCandidates(Float32Array.from([-Infinity, 0, 0]), 0, 3, 3);
    expect(result).toEqual([
      { id: 1, score: 0.5 },
      { id: 2, score: 0.5 },
      { id: 0, score: 0 },
    ]);
  });

  it('reads one row of a flat buffer: ids are relative to rowStart, other rows are ignored', () => {
    const vocab = 4;
    // Row 0 and row 2 hold huge values that would win, or dominate the sum, if they were read.
    const logits = Float32Array.from([90, 90, 90, 90, 0, Math.log(3), Math.log(2), Math.log(4), 95, 95, 95, 95]);
    const result = topCandidates(logits, vocab, vocab, 4);
    expect(result.map((candidate) => candidate.id)).toEqual([3, 1, 2, 0]);
    for (const [rank, score] of [0.4, 0.3, 0.2, 0.1].entries()) expect(result[rank].score).toBeCloseTo(score, 6);
    const restricted = topCandidates(logits, vocab, vocab, 2, Int32Array.from([0, 2]));
    expect(restricted.map((candidate) => candidate.id)).toEqual([2, 0]);
    expect(restricted[0].score).toBeCloseTo(0.2, 6);
    expect(restricted[1].score).toBeCloseTo(0.1, 6);
  });

  it('reads the last row of a buffer up to its end', () => {
    const next = random(5);
    const rows = 3;
    const vocab = 257;
    const logits = Float32Array.from({ length: rows * vocab }, () => next() * 10);
    for (let row = 0; row < rows; row++) {
      const slice = logits.subarray(row * vocab, (row + 1) * vocab);
      expectCandidates(topCandidates(logits, row * vocab, vocab, 7), reference(slice, 7));
    }
  });
});
