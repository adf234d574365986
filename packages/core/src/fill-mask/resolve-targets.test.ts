import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelPath, type FixtureModel } from '@fillmask/fixtures';
import type { FillMaskTokenizer } from '../tokenizer/fill-mask-tokenizer.js';
import type { FillMaskWarning } from './fill-mask-warning.js';
import { loadTokenizer } from '../tokenizer/load-tokenizer.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { resolveTargets } from './resolve-targets.js';

async function fixtureTokenizer(model: FixtureModel): Promise<FillMaskTokenizer> {
  const folder = fixtureModelPath(model);
  const files = {
    location: folder,
    read: async (path: string) => readFileSync(join(folder, path)),
    exists: async (path: string) => existsSync(join(folder, path)),
  };
  return loadTokenizer(files, JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')));
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

function resolve(targets: unknown, tokenizer: FillMaskTokenizer): { ids: number[]; warnings: FillMaskWarning[]; result: Int32Array } {
  const warnings: FillMaskWarning[] = [];
  const result = resolveTargets(targets as string[], tokenizer, (warning) => warnings.push(warning));
  return { ids: [...result], warnings, result };
}

function thrown(action: () => unknown): unknown {
  try {
    action();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected an error');
}

describe('resolveTargets', () => {
  it('uses exact vocabulary entries as they are, without warnings', () => {
    const { ids, warnings, result } = resolve(['paris', 'london'], bert);
    expect(result).toBeInstanceOf(Int32Array);
    expect(ids).toEqual([3000, 2414]);
    expect(warnings).toEqual([]);
    expect(resolve(['Paris', 'ĠLondon'], roberta)).toMatchObject({ ids: [32826, 928], warnings: [] });
    expect(resolve(['▁paris'], albert)).toMatchObject({ ids: [1162], warnings: [] });
  });

  it('accepts a single string', () => {
    expect(resolve('paris', bert)).toMatchObject({ ids: [3000], warnings: [] });
  });

  it('replaces a target outside the vocabulary by its first sub-token, with a target-replaced warning', () => {
    // "Paris" is not an uncased entry; it encodes to "paris".
    const { ids, warnings } = resolve(['Paris'], bert);
    expect(ids).toEqual([3000]);
    expect(warnings).toEqual([
      {
        code: 'target-replaced',
        target: 'Paris',
        message: 'Target "Paris" is not in the model\'s vocabulary; it is replaced by its first sub-token "paris".',
      },
    ]);
    // super ##cal ##if ##rag ##ilis ##tic: only "super" is kept.
    expect(resolve(['Supercalifragilistic'], bert)).toMatchObject({
      ids: [3565],
      warnings: [{ code: 'target-replaced', target: 'Supercalifragilistic' }],
    });
  });

  it('RoBERTa: " Paris" (a real space) is replaced by "ĠParis", "Paris" is an entry of its own', () => {
    const { ids, warnings } = resolve([' Paris', 'Paris'], roberta);
    expect(ids).toEqual([2201, 32826]);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ code: 'target-replaced', target: ' Paris' });
    expect(warnings[0].message).toContain('"ĠParis"');
    expect(resolve(['Supercalifragilistic'], roberta).ids).toEqual([16713]); // "Super"
  });

  it('ALBERT: "Paris" is replaced by "▁paris"', () => {
    expect(resolve(['Paris'], albert)).toMatchObject({ ids: [1162], warnings: [{ code: 'target-replaced', target: 'Paris' }] });
  });

  it('removes duplicates, including a replacement equal to an exact entry, keeping the first order', () => {
    const { ids, warnings } = resolve(['london', 'paris', 'paris', 'Paris', 'london'], bert);
    expect(ids).toEqual([2414, 3000]);
    expect(warnings.map((warning) => warning.target)).toEqual(['Paris']);
  });

  it('ignores a target that encodes to nothing, with a target-ignored warning', () => {
    const { ids, warnings } = resolve(['\u200b', 'paris', '   '], bert);
    expect(ids).toEqual([3000]);
    expect(warnings).toEqual([
      {
        code: 'target-ignored',
        target: '\u200b',
        message: 'Target "\u200b" is not in the model\'s vocabulary and encodes to nothing; it is ignored.',
      },
      expect.objectContaining({ code: 'target-ignored', target: '   ' }),
    ]);
  });

  it('"" is an InvalidArgumentError (it is ignored, and then no target is left)', () => {
    const warnings: FillMaskWarning[] = [];
    const error = thrown(() => resolveTargets('', bert, (warning) => warnings.push(warning)));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('targets');
    expect((error as Error).message).toBe('Invalid targets: expected at least one target the tokenizer can encode, received "".');
    expect(warnings).toEqual([expect.objectContaining({ code: 'target-ignored', target: '' })]);
    expect(InvalidArgumentError.isInstance(thrown(() => resolveTargets([''], roberta, () => {})))).toBe(true);
  });

  it('[] is an InvalidArgumentError', () => {
    const error = thrown(() => resolveTargets([], bert, () => {}));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect((error as InvalidArgumentError).argument).toBe('targets');
    expect((error as Error).message).toContain('received an empty array');
  });

  it('targets that all encode to nothing are an InvalidArgumentError', () => {
    expect(InvalidArgumentError.isInstance(thrown(() => resolveTargets(['   ', '\u200b'], bert, () => {})))).toBe(true);
  });

  it.each([[[42]], [['paris', null]], [42], [{ 0: 'paris' }], [null], [undefined], [[['paris']]]])(
    'non-strings (%j) are an InvalidArgumentError before any lookup',
    (targets) => {
      const warnings: FillMaskWarning[] = [];
      const error = thrown(() => resolveTargets(targets as string[], bert, (warning) => warnings.push(warning)));
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as InvalidArgumentError).argument).toBe('targets');
      expect((error as Error).message).toMatch(/^Invalid targets: expected a string or an array of strings, received /);
      expect(warnings).toEqual([]);
    },
  );
});
