import { describe, expect, it } from 'vitest';
import { slowTokenizerFixtures } from '@fillmask/fixtures';
import type { ModelConfig } from '../../model/model-config.js';
import { loadTokenizer } from '../load-tokenizer.js';
import { convertSlowTokenizer } from './convert-slow-tokenizer.js';
import {
  comparableTokenizerJson,
  loadSlowTokenizerExpectation,
  readJsonOrEmpty,
  sha256Lines,
  slowTokenizerFiles,
} from './slow-tokenizer-fixtures.test-helper.js';

// The expectations are Python's: transformers 5 loading each fixture folder (which has no
// tokenizer.json) with AutoTokenizer, so it converts the slow files itself; see
// internal/fixtures/scripts/make_slow_tokenizers.py. Variants marked mask_lstrip give the mask token
// lstrip where transformers 5 does not (fillmask keeps transformers 4's convention; the generator
// applies the same flag to Python's tokenizer before encoding).

const cases = slowTokenizerFixtures.flatMap((fixture) =>
  loadSlowTokenizerExpectation(fixture).variants.map((variant, index) => [fixture, variant.name, index] as const),
);

describe.each(cases)('%s: %s', (fixture, _name, index) => {
  const { inputs, variants } = loadSlowTokenizerExpectation(fixture);
  const variant = variants[index];
  const files = () => slowTokenizerFiles(fixture, variant.files);

  it("builds Python's tokenizer.json", async () => {
    const config = (await readJsonOrEmpty(files(), 'config.json')) as ModelConfig;
    const converted = await convertSlowTokenizer(files(), config, await readJsonOrEmpty(files(), 'tokenizer_config.json'));
    expect(comparableTokenizerJson(converted.tokenizerJson)).toEqual(variant.tokenizer);
    expect(converted.maskToken).toBe(variant.mask_token);

    const model = converted.tokenizerJson.model as { type: string; vocab: unknown; merges?: Array<[string, string]> };
    if (model.type === 'Unigram') {
      // Pieces exactly; scores within 1e-12: ours are the file's float32 values, Python's passed once
      // through serde_json's parser, which may be 1 ulp off.
      const vocab = model.vocab as Array<[string, number]>;
      expect(vocab.map(([piece]) => piece)).toEqual(variant.unigram_vocab!.map(([piece]) => piece));
      const largestGap = Math.max(...vocab.map(([, score], id) => Math.abs(score - variant.unigram_vocab![id][1])));
      expect(largestGap).toBeLessThan(1e-12);
    } else {
      const vocab = model.vocab as Record<string, number>;
      const tokens = Object.keys(vocab).sort((a, b) => vocab[a] - vocab[b]);
      expect(tokens.length).toBe(variant.vocab_size);
      expect(sha256Lines(tokens)).toBe(variant.vocab_sha256);
    }
    if (model.merges !== undefined) expect(sha256Lines(model.merges.map((merge) => merge.join(' ')))).toBe(variant.merges_sha256);
  });

  it('loads through loadTokenizer and encodes every input to the ids Python gives', async () => {
    const tokenizer = await loadTokenizer(files(), (await readJsonOrEmpty(files(), 'config.json')) as ModelConfig);
    expect([tokenizer.maskToken, tokenizer.maskTokenId]).toEqual([variant.mask_token, variant.mask_token_id]);
    const mismatches = inputs
      .map((input, inputIndex) => ({ input, ids: tokenizer.encode(input).ids, expected: variant.ids[inputIndex] }))
      .filter(({ ids, expected }) => JSON.stringify(ids) !== JSON.stringify(expected));
    expect(mismatches).toEqual([]);
  });
});
