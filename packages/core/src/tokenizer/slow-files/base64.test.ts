import { describe, expect, it } from 'vitest';
import { toBase64 } from './base64.js';

describe('toBase64', () => {
  it('matches Node`s encoder for every padding length and for long inputs', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 3000, 10_001]) {
      const bytes = Uint8Array.from({ length }, (_, index) => (index * 131 + 7) % 256);
      expect(toBase64(bytes), `length ${length}`).toBe(Buffer.from(bytes).toString('base64'));
    }
  });
});
