import { describe, expect, it } from 'vitest';
import { batchFlops, encoderShape } from './model-flops.js';

// distilroberta-base's config.json sizes.
const distilroberta = encoderShape({ num_hidden_layers: 6, hidden_size: 768, intermediate_size: 3072, vocab_size: 50265 });

describe('batchFlops', () => {
  it('counts every product of the unmodified graph at every position', () => {
    // One input of 18 tokens, by hand: per layer and token 4·768² + 2·768·3072 + 2·18·768 multiply-adds,
    // then the head's 768² transform and the 768 × 50,265 projection at each of the 18 tokens.
    const perLayer = 4 * 768 * 768 + 2 * 768 * 3072 + 2 * 18 * 768;
    const expected = 2 * 18 * (6 * perLayer + 768 * 768 + 768 * 50265);
    expect(batchFlops(distilroberta, { rows: 1, length: 18 }, 'none')).toBe(expected);
  });

  it('counts the projection only at the masks when the cut is there', () => {
    const full = batchFlops(distilroberta, { rows: 32, length: 28 }, 'none');
    const cut = batchFlops(distilroberta, { rows: 32, length: 28 }, 'projection');
    expect(full - cut).toBe(2 * (32 * 28 - 32) * 768 * 50265);
  });

  it("counts the last layer's output block and the head's transform at the masks for an fp32 rewrite", () => {
    const projection = batchFlops(distilroberta, { rows: 32, length: 28 }, 'projection');
    const lastLayer = batchFlops(distilroberta, { rows: 32, length: 28 }, 'last-layer-output');
    const perPosition = 768 * 768 + 2 * 768 * 3072 + 768 * 768;
    expect(projection - lastLayer).toBe(2 * (32 * 28 - 32) * perPosition);
  });

  it("counts ALBERT's factorised embedding: the mapping in and a transform to the embedding width", () => {
    const albert = encoderShape({ num_hidden_layers: 12, hidden_size: 768, intermediate_size: 3072, vocab_size: 30000, embedding_size: 128 });
    const perLayer = 4 * 768 * 768 + 2 * 768 * 3072 + 2 * 10 * 768;
    expect(batchFlops(albert, { rows: 1, length: 10 }, 'none')).toBe(2 * 10 * (128 * 768 + 12 * perLayer + 768 * 128 + 128 * 30000));
  });
});
