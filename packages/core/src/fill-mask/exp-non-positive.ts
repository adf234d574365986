/**
 * `Math.exp(x)` for x ≤ 0 (and NaN), within 1e-13 relative error on [-708, 0] (the error comes from
 * the argument reduction and grows with |x|: about 3e-15 for |x| ≤ 1). Below about -708.4 the results
 * go subnormal and lose precision; from -745 they are 0. Such terms are below 1e-307 and vanish in a
 * softmax normaliser, which is always ≥ 1.
 *
 * It exists for the softmax normaliser, which takes one exponential per vocabulary id: V8's
 * `Math.exp` is a call into C, slower than this inlinable table-and-polynomial form.
 * x = n·ln2/32 + r with |r| ≤ ln2/64; exp(x) = 2^(n >> 5) · 2^((n & 31)/32) · e^r, e^r by a degree-5 Taylor polynomial.
 */
export function expNonPositive(x: number): number {
  if (x < -745) return 0;
  const n = -((-x * thirtyTwoOverLn2 + 0.5) | 0);
  const r = x - n * ln2OverThirtyTwo;
  const er = 1 + r * (1 + r * (1 / 2 + r * (1 / 6 + r * (1 / 24 + r * (1 / 120)))));
  return er * fractionPowers[n & 31] * integerPowers[(n >> 5) + integerPowerOffset];
}

const thirtyTwoOverLn2 = 32 / Math.LN2;
const ln2OverThirtyTwo = Math.LN2 / 32;
/** 2^(j/32) for j = 0..31. */
const fractionPowers = Float64Array.from({ length: 32 }, (_, j) => 2 ** (j / 32));
/** 2^i for i = -1076..0 (x ≥ -745 keeps n >> 5 in that range). */
const integerPowerOffset = 1076;
const integerPowers = Float64Array.from({ length: integerPowerOffset + 1 }, (_, index) => 2 ** (index - integerPowerOffset));
