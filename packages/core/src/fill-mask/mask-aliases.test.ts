import { describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import type { ServiceBackendV1, ServiceFillRequestV1 } from '../backend/fill-mask-backend-v1.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { MissingMaskError } from '../errors/missing-mask-error.js';
import { createScorer } from '../scoring/create-scorer.js';
import { recordingContextualBackend } from '../scoring/contextual-backend.test-helper.js';
import { createFillMask } from './create-fill-mask.js';
import { commonMaskAliases, maskAliasReplacer } from './mask-aliases.js';

// The fixture models' real tokenizers, with a model double whose logits depend on every token of the
// input: two texts get the same predictions (sequence included) only when they encode to the same ids.

const bert = fixtureModelPath('tiny-bert-uncased');
const roberta = fixtureModelPath('tiny-roberta');

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (reason: unknown) => reason,
  );
}

describe('maskAliasReplacer', () => {
  it('writes the mask token in place of each alias, the longest first where two overlap', () => {
    expect(maskAliasReplacer(commonMaskAliases, '<mask>')('A [MASK] and a <mask>.')).toBe('A <mask> and a <mask>.');
    expect(maskAliasReplacer(commonMaskAliases, '[MASK]')('A [MASK] and a <mask>.')).toBe('A [MASK] and a [MASK].');
    expect(maskAliasReplacer(['<m>', '<m>>'], '[MASK]')('x <m>> y <m>')).toBe('x [MASK] y [MASK]');
    expect(maskAliasReplacer(['a.b'], '[MASK]')('a.b axb')).toBe('[MASK] axb');
  });

  it('leaves the text as it is without aliases', () => {
    expect(maskAliasReplacer([], '[MASK]')('A <mask>.')).toBe('A <mask>.');
  });
});

describe('the maskAliases option of createFillMask', () => {
  it('is off by default: only the model own mask token is a mask', async () => {
    for (const [model, other] of [
      [bert, 'Paris is the <mask> of France.'],
      [roberta, 'Paris is the [MASK] of France.'],
    ]) {
      const fillMask = await createFillMask({ model, backend: recordingContextualBackend() });
      expect(fillMask.maskAliases).toEqual([]);
      expect(MissingMaskError.isInstance(await rejection(fillMask.fill(other)))).toBe(true);
      await fillMask.dispose();
    }
  });

  it('accepts both spellings for a BERT model, as its own [MASK]', async () => {
    const fillMask = await createFillMask({ model: bert, backend: recordingContextualBackend(), maskAliases: commonMaskAliases });
    expect(fillMask.maskAliases).toEqual(['[MASK]', '<mask>']);
    const own = await fillMask.fill('Paris is the [MASK] of France.');
    expect(await fillMask.fill('Paris is the <mask> of France.')).toEqual(own);
    expect(own[0][0].sequence).toMatch(/^paris is the \S+ of france\.$/);
    await fillMask.dispose();
  });

  it('gives a RoBERTa model exactly what its own <mask> gives, the space before it absorbed alike', async () => {
    const backend = recordingContextualBackend();
    const fillMask = await createFillMask({ model: roberta, backend, maskAliases: commonMaskAliases });
    const own = await fillMask.fill(['Paris is the <mask> of France.', 'A <mask> and a <mask>.', 'the<mask>']);
    expect(await fillMask.fill(['Paris is the [MASK] of France.', 'A [MASK] and a <mask>.', 'the[MASK]'])).toEqual(own);
    expect(own[0][0][0].sequence).toMatch(/^Paris is the.+ of France\.$/);
    // One batch each, of the same shape: the same tokens, not a ranking that happens to agree.
    expect(backend.batches).toEqual([backend.batches[0], backend.batches[0]]);
    await fillMask.dispose();
  });

  it('applies to fillSettled, and a text without any spelling of the mask is still refused', async () => {
    const fillMask = await createFillMask({ model: bert, backend: recordingContextualBackend(), maskAliases: commonMaskAliases });
    const [good, bad] = await fillMask.fillSettled(['One <mask>.', 'No mask.']);
    expect(good).toEqual({ status: 'fulfilled', value: await fillMask.fill('One [MASK].') });
    expect(bad.status).toBe('rejected');
    expect(MissingMaskError.isInstance((bad as { reason: unknown }).reason)).toBe(true);
    await fillMask.dispose();
  });

  it('rewrites to the mask token of a service before sending', async () => {
    const requests: ServiceFillRequestV1[] = [];
    const backend: ServiceBackendV1 = {
      specificationVersion: 'v1',
      kind: 'service',
      name: 'fake-service',
      async connect() {
        return {
          maskToken: '<mask>',
          async fill(request) {
            requests.push(request);
            return request.inputs.map((input) => [[{ score: 1, token: 0, token_str: 'x', sequence: input }]]);
          },
          async dispose() {},
        };
      },
    };
    const fillMask = await createFillMask({ model: 'org/name', backend, maskAliases: commonMaskAliases });
    expect(fillMask.maskAliases).toEqual(commonMaskAliases);
    await fillMask.fill(['A [MASK].', 'B <mask>.']);
    expect(requests[0].inputs).toEqual(['A <mask>.', 'B <mask>.']);
    const plain = await createFillMask({ model: 'org/name', backend });
    expect(MissingMaskError.isInstance(await rejection(plain.fill('A [MASK].')))).toBe(true);
  });

  it.each([['<mask>'], [['']], [[1]], [null]])('refuses maskAliases %j before loading anything', async (maskAliases) => {
    const error = await rejection(createFillMask({ model: 'never-loaded', maskAliases: maskAliases as never }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(String(error)).toContain('maskAliases');
  });
});

describe('the maskAliases option of createScorer', () => {
  it('makes <mask> the unscored mask for a BERT model, as [MASK] is; without it, <mask> is scored text', async () => {
    const aliased = await createScorer({ model: bert, backend: recordingContextualBackend(), maskAliases: commonMaskAliases });
    const own = await aliased.score('Paris is the [MASK] of France.');
    expect(await aliased.score('Paris is the <mask> of France.')).toEqual(own);
    await aliased.dispose();
    const plain = await createScorer({ model: bert, backend: recordingContextualBackend() });
    expect(await plain.score('Paris is the [MASK] of France.')).toEqual(own);
    // `<`, `mask` and `>` are three more tokens to score.
    expect((await plain.score('Paris is the <mask> of France.')).tokens).toBe(own.tokens + 3);
    await plain.dispose();
  });
});
