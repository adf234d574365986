import { describe, expect, it } from 'vitest';
import { batchFlops, encoderShape, paddedBatches } from './model-flops.js';

// distilroberta-base's sizes.
const shape = encoderShape({ num_hidden_layers: 6, hidden_size: 768, intermediate_size: 3072, vocab_size: 50265 });
const layer = 4 * 768 * 768 + 2 * 768 * 3072;
const head = 768 * 768 + 768 * 50265;

describe('batchFlops', () => {
  it('counts one 18-token input of the unmodified graph: products and attention at every position', () => {
    const perPosition = 6 * (layer + 2 * 18 * 768) + head;
    expect(batchFlops(shape, { everyPosition: 6 * layer + head, masksOnly: 0 }, { rows: 1, length: 18 })).toBe(2 * 18 * perPosition);
  });

  it('counts the products moved to the masks once per input, padding included elsewhere', () => {
    const products = { everyPosition: 6 * layer, masksOnly: head };
    expect(batchFlops(shape, products, { rows: 32, length: 28 })).toBe(2 * (32 * 28 * (6 * layer + 6 * 2 * 28 * 768) + 32 * head));
  });
});

describe('paddedBatches', () => {
  it('cuts in the order given and pads each batch to its longest', () => {
    expect(paddedBatches([5, 9, 3, 4, 7], 2)).toEqual([
      { rows: 2, length: 9 },
      { rows: 2, length: 4 },
      { rows: 1, length: 7 },
    ]);
  });
});
