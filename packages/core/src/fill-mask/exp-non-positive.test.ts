import { describe, expect, it } from 'vitest';
import { expNonPositive } from './exp-non-positive.js';

describe('expNonPositive', () => {
  it('matches Math.exp within 1e-13 relative error on [-708, 0]', () => {
    let worst = 0;
    for (let step = 0; step <= 1_000_000; step++) {
      const x = -step * 0.000708;
      worst = Math.max(worst, Math.abs(expNonPositive(x) - Math.exp(x)) / Math.exp(x));
    }
    // Points where the table index and the polynomial's range change.
    for (const x of [-Number.MIN_VALUE, -1e-300, -1e-9, -Math.LN2 / 64, -Math.LN2 / 32, -Math.LN2, -1, -87.3, -103.9, -707.9]) {
      worst = Math.max(worst, Math.abs(expNonPositive(x) - Math.exp(x)) / Math.exp(x));
    }
    expect(worst).toBeLessThan(1e-13);
  });

  it('is exactly 1 at 0, and 0 at -Infinity and below the smallest double', () => {
    expect(expNonPositive(0)).toBe(1);
    expect(expNonPositive(-0)).toBe(1);
    expect(expNonPositive(-Infinity)).toBe(0);
    expect(expNonPositive(-746)).toBe(0);
    expect(expNonPositive(-1e300)).toBe(0);
  });

  it('stays below 1e-307 where the doubles go subnormal, and passes NaN through', () => {
    for (let x = -745; x <= -708; x += 0.25) expect(Math.abs(expNonPositive(x) - Math.exp(x))).toBeLessThan(1e-307);
    expect(expNonPositive(Number.NaN)).toBeNaN();
  });
});
