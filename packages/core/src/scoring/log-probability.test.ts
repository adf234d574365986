import { describe, expect, it } from 'vitest';
import { logProbabilityAt } from './log-probability.js';

describe('logProbabilityAt', () => {
  it('is the log-softmax of the row at the id, read at an offset', () => {
    const logits = Float32Array.from([9, 9, 1, 2, 3, 9]);
    const expected = 2 - Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
    expect(logProbabilityAt(logits, 2, 3, 1)).toBeCloseTo(expected, 12);
  });

  it('stays finite where a naive exp would overflow or underflow', () => {
    const logits = Float32Array.from([1000, 999, -1000]);
    expect(logProbabilityAt(logits, 0, 3, 0)).toBeCloseTo(-Math.log(1 + Math.exp(-1)), 12);
    expect(logProbabilityAt(logits, 0, 3, 2)).toBeCloseTo(-2000 - Math.log(1 + Math.exp(-1)), 9);
  });
});
