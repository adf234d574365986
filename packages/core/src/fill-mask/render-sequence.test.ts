import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelPath, fixtureModels, isReplayable, loadReference, type FixtureModel } from '@fillmask/fixtures';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { renderSequence } from './render-sequence.js';

async function fixtureTokenizer(model: FixtureModel): Promise<FillMaskTokenizer> {
  const folder = fixtureModelPath(model);
  const files = {
    location: folder,
    read: async (path: string) => readFileSync(join(folder, path)),
    exists: async (path: string) => existsSync(join(folder, path)),
  };
  return loadTokenizer(files, JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')));
}

/** As ModelFillMask decides it: whether the mask swallows the space before it when encoding. */
function maskEatsSpace(tokenizer: FillMaskTokenizer): boolean {
  return tokenizer.encode(`a ${tokenizer.maskToken}`).ids.join() === tokenizer.encode(`a${tokenizer.maskToken}`).ids.join();
}

const tokenizers = {} as Record<FixtureModel, FillMaskTokenizer>;

beforeAll(async () => {
  for (const model of fixtureModels) tokenizers[model] = await fixtureTokenizer(model);
});

/** Fills the mask number `maskIndex` of `text` with `token`. */
function render(model: FixtureModel, text: string, maskIndex: number, token: number): string {
  const tokenizer = tokenizers[model];
  const ids = tokenizer.encode(text).ids;
  const positions = ids.flatMap((id, position) => (id === tokenizer.maskTokenId ? [position] : []));
  return renderSequence(ids, positions[maskIndex], token, tokenizer, maskEatsSpace(tokenizer));
}

describe('renderSequence', () => {
  describe('one mask', () => {
    for (const model of fixtureModels) {
      it(`${model}: equals transformers.js's sequence for every top-5 prediction of every single-mask reference case`, () => {
        const tokenizer = tokenizers[model];
        const cases = loadReference(model, 'fp32').cases.filter((entry) => isReplayable(entry) && entry.mask_count === 1 && entry.result);
        expect(cases.length).toBeGreaterThanOrEqual(18);
        for (const referenceCase of cases) {
          const ids = tokenizer.encode(referenceCase.input).ids;
          const position = ids.indexOf(tokenizer.maskTokenId);
          for (const prediction of referenceCase.result!) {
            const sequence = renderSequence(ids, position, prediction.token, tokenizer, maskEatsSpace(tokenizer));
            expect(sequence, `${referenceCase.id} ${prediction.token}`).toBe(prediction.sequence);
            // The same as decoding the filled ids with the special tokens skipped, as Python does.
            const filled = ids.map((id, index) => (index === position ? prediction.token : id));
            expect(sequence, referenceCase.id).toBe(tokenizer.decode(filled, { skipSpecialTokens: true }));
          }
        }
      });
    }

    it('writes the token where the mask was, decoded as the model family decodes', () => {
      expect(render('tiny-bert-uncased', 'The capital of France is [MASK].', 0, 3000)).toBe('the capital of france is paris.');
      expect(render('tiny-bert-cased-pt', 'São Paulo é a [MASK] do Brasil.', 0, 2708)).toBe('São Paulo é a Paris do Brasil.');
      // The RoBERTa token brings its own space: " Paris" after "is" that lost its space to the mask.
      expect(render('tiny-roberta', 'The capital of France is <mask>.', 0, 2201)).toBe('The capital of France is Paris.');
      expect(render('tiny-roberta', 'The capital of France is <mask>.', 0, 32826)).toBe('The capital of France isParis.');
      expect(render('tiny-albert', 'The capital of France is [MASK].', 0, 1162)).toBe('the capital of france is paris.');
    });
  });

  describe('several masks', () => {
    it('BERT keeps the other masks and drops [CLS]/[SEP]', () => {
      expect(render('tiny-bert-uncased', 'Two masks: [MASK] and [MASK].', 0, 3000)).toBe('two masks : paris and [MASK].');
      expect(render('tiny-bert-uncased', 'Two masks: [MASK] and [MASK].', 1, 3000)).toBe('two masks : [MASK] and paris.');
    });

    it('RoBERTa keeps the other masks, with the space their lstrip swallowed put back, and drops <s>/</s>', () => {
      expect(render('tiny-roberta', 'Two masks: <mask> and <mask>.', 0, 2201)).toBe('Two masks: Paris and <mask>.');
      expect(render('tiny-roberta', 'Two masks: <mask> and <mask>.', 1, 2201)).toBe('Two masks: <mask> and Paris.');
      expect(render('tiny-roberta', '<mask> and <mask>', 1, 2201)).toBe('<mask> and Paris');
      expect(render('tiny-roberta', '<mask> and <mask>', 0, 2201)).toBe(' Paris and <mask>');
    });

    it('ALBERT keeps the other masks with a space before them, and drops [CLS]/[SEP]', () => {
      expect(render('tiny-albert', 'Two masks: [MASK] and [MASK].', 0, 1162)).toBe('two masks: paris and [MASK].');
      expect(render('tiny-albert', 'Two masks: [MASK] and [MASK].', 1, 1162)).toBe('two masks: [MASK] and paris.');
    });

    it('three masks: each rendering shows one token and the two other masks, and no framing token', () => {
      const fillers = { 'tiny-bert-uncased': 'cat', 'tiny-bert-cased-pt': 'casa', 'tiny-roberta': 'Ġcat', 'tiny-albert': '▁cat' } as const;
      for (const model of fixtureModels) {
        const mask = tokenizers[model].maskToken;
        const text = `The ${mask} sat on the ${mask} near the ${mask}.`;
        const filler = tokenizers[model].tokenToId(fillers[model]);
        expect(filler, model).toBeTypeOf('number');
        for (let maskIndex = 0; maskIndex < 3; maskIndex++) {
          const sequence = render(model, text, maskIndex, filler!);
          expect(sequence.split(mask), `${model} ${maskIndex}`).toHaveLength(3);
          // The filled token sits between the masks that stay, in its own place.
          const parts = sequence.split(mask);
          expect(
            parts.map((part) => /\bca(t|sa)\b/.test(part)),
            `${model} ${maskIndex}: ${sequence}`,
          ).toEqual([0, 1, 2].map((index) => index === maskIndex));
          expect(sequence, model).not.toMatch(/\[CLS\]|\[SEP\]|<s>|<\/s>|<pad>|\[PAD\]/);
        }
      }
    });

    it('adds no space before a mask when the mask does not swallow one', () => {
      const tokenizer = tokenizers['tiny-roberta'];
      const ids = tokenizer.encode('Two masks: <mask> and <mask>.').ids;
      expect(renderSequence(ids, ids.indexOf(tokenizer.maskTokenId), 2201, tokenizer, false)).toBe('Two masks: Paris and<mask>.');
    });
  });

  it('all four fixtures encode "a MASK" and "aMASK" alike, so the space before the other masks is put back', () => {
    // BERT by its pre-tokenizer (the mask is split off either way), RoBERTa and ALBERT by lstrip.
    expect(fixtureModels.map((model) => maskEatsSpace(tokenizers[model]))).toEqual([true, true, true, true]);
  });
});
