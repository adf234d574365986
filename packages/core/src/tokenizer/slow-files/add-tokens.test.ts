import { describe, expect, it } from 'vitest';
import { addedTokenId, addTokens } from './add-tokens.js';
import { plainAddedToken } from './added-token.js';

const vocabulary = { idOf: (token: string) => ({ '[PAD]': 0, '[MASK]': 3 })[token], size: 10 };

describe('addTokens', () => {
  it('keeps vocabulary ids, numbers the others from the vocabulary size on, and sorts by id', () => {
    const added = addTokens(vocabulary, [
      plainAddedToken('<new>', true),
      plainAddedToken('[MASK]', true),
      plainAddedToken('[PAD]', true),
      plainAddedToken('<other>', false),
    ]);
    expect(added.map(({ id, content }) => [id, content])).toEqual([
      [0, '[PAD]'],
      [3, '[MASK]'],
      [10, '<new>'],
      [11, '<other>'],
    ]);
    expect(added[3]).toEqual({
      id: 11,
      content: '<other>',
      single_word: false,
      lstrip: false,
      rstrip: false,
      normalized: true,
      special: false,
    });
  });

  it('keeps the first token of each content', () => {
    const added = addTokens(vocabulary, [{ ...plainAddedToken('[MASK]', true), lstrip: true }, plainAddedToken('[MASK]', true)]);
    expect(added).toEqual([
      { id: 3, content: '[MASK]', single_word: false, lstrip: true, rstrip: false, normalized: false, special: true },
    ]);
    expect(addedTokenId(added, '[MASK]')).toBe(3);
    expect(addedTokenId(added, '[CLS]')).toBeUndefined();
  });
});
