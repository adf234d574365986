import { describe, expect, it } from 'vitest';
import { seededRandom, shuffled } from './seeded-random.js';

describe('seededRandom', () => {
  it('repeats for a seed and stream, differs across them, and stays in [0, 1)', () => {
    const draw = (seed: number, stream: number) => Array.from({ length: 1000 }, seededRandom(seed, stream));
    expect(draw(3, 5)).toEqual(draw(3, 5));
    expect(draw(3, 5)).not.toEqual(draw(3, 6));
    expect(draw(3, 5)).not.toEqual(draw(4, 5));
    const values = draw(0, 0);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = values.reduce((total, value) => total + value, 0) / values.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });

  it('shuffles into a permutation', () => {
    const items = Array.from({ length: 20 }, (_, index) => index);
    const result = shuffled(items, seededRandom(1));
    expect([...result].sort((a, b) => a - b)).toEqual(items);
    expect(result).not.toEqual(items);
  });
});
