import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelPath, type FixtureModel } from '@fillmask/fixtures';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { FillMaskError } from '../errors/fill-mask-error.js';
import { InputTooLongError } from '../errors/input-too-long-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { MissingMaskError } from '../errors/missing-mask-error.js';
import { encodeInput } from './encode-input.js';

async function fixtureTokenizer(model: FixtureModel): Promise<FillMaskTokenizer> {
  const folder = fixtureModelPath(model);
  const files = {
    location: folder,
    read: async (path: string) => readFileSync(join(folder, path)),
    exists: async (path: string) => existsSync(join(folder, path)),
  };
  return loadTokenizer(files, JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')));
}

/** The same tokenizer with a smaller model limit, so that windows stay readable. */
function withLimit(tokenizer: FillMaskTokenizer, modelMaxLength: number): FillMaskTokenizer {
  return {
    maskToken: tokenizer.maskToken,
    maskTokenId: tokenizer.maskTokenId,
    padTokenId: tokenizer.padTokenId,
    specialTokenIds: tokenizer.specialTokenIds,
    modelMaxLength,
    encode: (text, options) => tokenizer.encode(text, options),
    decode: (ids, options) => tokenizer.decode(ids, options),
    tokenToId: (token) => tokenizer.tokenToId(token),
    idToToken: (id) => tokenizer.idToToken(id),
  };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected an error');
}

/** "0 1 2 ... n-1" with the mask token written before the numbers listed in `masksAt`. */
function numbered(count: number, masksAt: readonly number[], mask: string): string {
  const words: string[] = [];
  for (let index = 0; index < count; index++) {
    if (masksAt.includes(index)) words.push(mask);
    words.push(String(index));
  }
  if (masksAt.includes(count)) words.push(mask);
  return words.join(' ');
}

let bert: FillMaskTokenizer;
let roberta: FillMaskTokenizer;
let albert: FillMaskTokenizer;

beforeAll(async () => {
  [bert, roberta, albert] = await Promise.all([
    fixtureTokenizer('tiny-bert-uncased'),
    fixtureTokenizer('tiny-roberta'),
    fixtureTokenizer('tiny-albert'),
  ]);
});

describe('encodeInput', () => {
  describe('mask positions', () => {
    it('finds one mask in the framed ids', () => {
      expect(encodeInput('The capital of France is [MASK].', bert, { truncation: false })).toEqual({
        ids: [101, 1996, 3007, 1997, 2605, 2003, 103, 1012, 102],
        tokenTypeIds: [0, 0, 0, 0, 0, 0, 0, 0, 0],
        maskPositions: [6],
      });
      expect(encodeInput('The capital of France is <mask>.', roberta, { truncation: false }).maskPositions).toEqual([6]);
      expect(encodeInput('The capital of France is [MASK].', albert, { truncation: false }).maskPositions).toEqual([6]);
    });

    it('finds every mask, in order, including adjacent ones and one at each end', () => {
      expect(encodeInput('Two masks: [MASK] and [MASK].', bert, { truncation: false }).maskPositions).toEqual([4, 6]);
      expect(encodeInput('[MASK][MASK] x [MASK]', bert, { truncation: false }).maskPositions).toEqual([1, 2, 4]);
      expect(encodeInput('<mask> is <mask>', roberta, { truncation: false })).toMatchObject({
        ids: [0, 50264, 16, 50264, 2],
        maskPositions: [1, 3],
      });
    });
  });

  describe('bad inputs', () => {
    it('an input without the mask token is a MissingMaskError naming the token', () => {
      const error = thrown(() => encodeInput('There is no mask token here.', bert, { truncation: false }));
      expect(MissingMaskError.isInstance(error)).toBe(true);
      expect(FillMaskError.isInstance(error)).toBe(true);
      expect((error as MissingMaskError).maskToken).toBe('[MASK]');
      expect((error as MissingMaskError).inputIndex).toBeUndefined();
      expect((error as Error).message).toBe('No mask token found in the input: write [MASK] where the model should fill in a word.');
    });

    it('MissingMaskError gives the index of the input in the message', () => {
      const error = thrown(() =>
        encodeInput('This uses the other family mask token [MASK].', roberta, { truncation: false, inputIndex: 3 }),
      );
      expect(MissingMaskError.isInstance(error)).toBe(true);
      expect((error as MissingMaskError).inputIndex).toBe(3);
      expect((error as Error).message).toContain('input 3');
      expect((error as Error).message).toContain('<mask>');
    });

    it('a mask token of the wrong case is no mask', () => {
      expect(MissingMaskError.isInstance(thrown(() => encodeInput('a [mask] b', bert, { truncation: false })))).toBe(true);
    });

    it.each([
      [null, 'null'],
      [42, 'number 42'],
      [undefined, 'undefined'],
      [['[MASK]'], 'an array of 1'],
      [{ text: '[MASK]' }, 'object'],
    ])('%j is an InvalidArgumentError', (value, described) => {
      const single = thrown(() => encodeInput(value, bert, { truncation: false }));
      expect(InvalidArgumentError.isInstance(single)).toBe(true);
      expect((single as InvalidArgumentError).argument).toBe('input');
      expect((single as Error).message).toBe(`Invalid input: expected a string with a mask token, received ${described}.`);
      const inArray = thrown(() => encodeInput(value, bert, { truncation: false, inputIndex: 2 }));
      expect((inArray as InvalidArgumentError).argument).toBe('inputs[2]');
      expect((inArray as Error).message).toMatch(/^Invalid inputs\[2\]:/);
    });
  });

  describe('inputs longer than the model accepts', () => {
    it('without truncation: InputTooLongError with length and limit, suggesting truncation: true', () => {
      const text = `[MASK] ${'hello '.repeat(600)}`;
      const error = thrown(() => encodeInput(text, bert, { truncation: false, inputIndex: 7 }));
      expect(InputTooLongError.isInstance(error)).toBe(true);
      expect((error as InputTooLongError).length).toBe(603);
      expect((error as InputTooLongError).limit).toBe(512);
      expect((error as InputTooLongError).inputIndex).toBe(7);
      expect((error as Error).message).toContain('Input 7 is 603 tokens long');
      expect((error as Error).message).toContain('at most 512');
      expect((error as Error).message).toContain('truncation: true');
    });

    it('an input of exactly the limit is kept whole', () => {
      const tokenizer = withLimit(bert, 12);
      const text = numbered(9, [4], '[MASK]'); // 9 numbers + 1 mask + [CLS] + [SEP] = 12
      const encoded = encodeInput(text, tokenizer, { truncation: false });
      expect(encoded.ids).toHaveLength(12);
      expect(encoded).toEqual({ ...bert.encode(text), maskPositions: [5] });
      expect(encodeInput(text, tokenizer, { truncation: true })).toEqual(encoded);
    });

    it('with truncation at the real limit: 512 tokens, framing kept, the mask inside', () => {
      const encoded = encodeInput(`[MASK] ${'hello '.repeat(600)}`, bert, { truncation: true });
      expect(encoded.ids).toHaveLength(512);
      expect(encoded.tokenTypeIds).toEqual(new Array(512).fill(0));
      expect(encoded.ids[0]).toBe(101);
      expect(encoded.ids[511]).toBe(102);
      expect(encoded.ids[1]).toBe(103);
      expect(encoded.ids.slice(2, 511)).toEqual(new Array(509).fill(7592));
      expect(encoded.maskPositions).toEqual([1]);
    });

    describe('the window (limit 16: 14 tokens between [CLS] and [SEP])', () => {
      const limit = 16;
      const window = limit - 2;

      /** Checks the framing and that the middle is a contiguous slice of the unframed body; returns its start. */
      function windowStart(text: string, tokenizer: FillMaskTokenizer, first: number, last: number): number {
        const limited = withLimit(tokenizer, limit);
        const body = tokenizer.encode(text, { addSpecialTokens: false }).ids;
        const framed = tokenizer.encode(text).ids;
        const encoded = encodeInput(text, limited, { truncation: true });
        expect(encoded.ids).toHaveLength(limit);
        expect(encoded.tokenTypeIds).toHaveLength(limit);
        expect(encoded.ids[0]).toBe(framed[0]);
        expect(encoded.ids[limit - 1]).toBe(framed[framed.length - 1]);
        const middle = encoded.ids.slice(1, limit - 1);
        const start = body.findIndex((_, index) => middle.every((id, offset) => body[index + offset] === id));
        expect(start).toBeGreaterThanOrEqual(0);
        expect(start + window).toBeLessThanOrEqual(body.length);
        expect(body.slice(start, start + window)).toEqual(middle);
        // Every mask of the body is in the window, at its shifted position.
        const bodyMasks = body.flatMap((id, index) => (id === tokenizer.maskTokenId ? [index] : []));
        expect([bodyMasks[0], bodyMasks[bodyMasks.length - 1]]).toEqual([first, last]);
        expect(encoded.maskPositions).toEqual(bodyMasks.map((index) => index - start + 1));
        return start;
      }

      it('a mask at the very start keeps the start of the text', () => {
        const text = numbered(40, [0], '[MASK]');
        expect(windowStart(text, bert, 0, 0)).toBe(0);
        const encoded = encodeInput(text, withLimit(bert, limit), { truncation: true });
        expect(encoded.maskPositions).toEqual([1]);
        expect(encoded.ids).toEqual([101, 103, ...bert.encode(numbered(13, [], '')).ids.slice(1, -1), 102]);
      });

      it('a mask at the very end keeps the end of the text', () => {
        const text = numbered(40, [40], '[MASK]');
        expect(windowStart(text, bert, 40, 40)).toBe(41 - window);
        expect(encodeInput(text, withLimit(bert, limit), { truncation: true }).maskPositions).toEqual([limit - 2]);
      });

      it('a mask in the middle is centred (at most one token more on one side)', () => {
        const text = numbered(40, [20], '[MASK]');
        const start = windowStart(text, bert, 20, 20);
        const before = 20 - start;
        const after = window - 1 - before;
        expect(Math.abs(before - after)).toBeLessThanOrEqual(1);
        expect([13, 14]).toContain(start);
      });

      it('several masks: the span between them is centred', () => {
        const text = numbered(40, [10, 15], '[MASK]'); // masks at body positions 10 and 16
        const start = windowStart(text, bert, 10, 16);
        const before = 10 - start;
        const after = start + window - 1 - 16;
        expect(Math.abs(before - after)).toBeLessThanOrEqual(1);
      });

      it('masks near the start shift the window to the start, not past it', () => {
        expect(windowStart(numbered(40, [2, 5], '[MASK]'), bert, 2, 6)).toBe(0);
        expect(windowStart(numbered(40, [36, 39], '[MASK]'), bert, 36, 40)).toBe(42 - window);
      });

      it('masks spanning exactly the window fit, one token more does not', () => {
        const text = numbered(40, [10, 23], '[MASK]'); // masks at body positions 10 and 24: span 15 > 14
        expect(InputTooLongError.isInstance(thrown(() => encodeInput(text, withLimit(bert, limit), { truncation: true })))).toBe(true);
        const fits = numbered(40, [10, 22], '[MASK]'); // masks at 10 and 23: span 14
        expect(windowStart(fits, bert, 10, 23)).toBe(10);
      });

      it('RoBERTa keeps <s> and </s>', () => {
        const text = numbered(40, [20], '<mask>');
        const start = windowStart(text, roberta, 20, 20);
        expect([13, 14]).toContain(start);
        const encoded = encodeInput(text, withLimit(roberta, limit), { truncation: true });
        expect([encoded.ids[0], encoded.ids[limit - 1]]).toEqual([0, 2]);
      });

      it('ALBERT keeps [CLS] and [SEP]', () => {
        const text = numbered(60, [30], '[MASK]');
        const encoded = encodeInput(text, withLimit(albert, limit), { truncation: true });
        expect(encoded.ids).toHaveLength(limit);
        expect([encoded.ids[0], encoded.ids[limit - 1]]).toEqual([2, 3]);
        expect(encoded.maskPositions).toHaveLength(1);
        expect(encoded.ids[encoded.maskPositions[0]]).toBe(4);
      });

      it('masks spanning more than the window: InputTooLongError saying the masks span too many tokens', () => {
        const text = numbered(40, [0, 30], '[MASK]'); // masks at body positions 0 and 31: span 32
        const error = thrown(() => encodeInput(text, withLimit(bert, limit), { truncation: true, inputIndex: 1 }));
        expect(InputTooLongError.isInstance(error)).toBe(true);
        expect((error as InputTooLongError).length).toBe(44);
        expect((error as InputTooLongError).limit).toBe(limit);
        expect((error as InputTooLongError).inputIndex).toBe(1);
        expect((error as Error).message).toContain('Input 1 is 44 tokens long');
        expect((error as Error).message).toContain('masks span 32 tokens');
        expect((error as Error).message).toContain('split it into several inputs');
        expect((error as Error).message).not.toContain('truncation: true');
      });
    });
  });
});
