import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelPath, fixtureModels, isReplayable, loadReference, type FixtureModel } from '@fillmask/fixtures';
import type { ModelFiles } from '../model-source/model-files.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { loadTokenizer } from './load-tokenizer.js';
import { splitAstralIdeographs } from './split-astral-ideographs.js';

// Every expected id below is what the Rust `tokenizers` library (the one Python's transformers
// uses) gives for the fixture's tokenizer.json, checked by hand against the vocabularies; decoded
// strings are Rust's decode followed by transformers' `clean_up_tokenization` (the configs set
// clean_up_tokenization_spaces: true).

function folderFiles(folder: string): ModelFiles {
  return {
    location: folder,
    read: async (path) => readFileSync(join(folder, path)),
    exists: async (path) => existsSync(join(folder, path)),
  };
}

function readJson(folder: string, file: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(folder, file), 'utf8')) as Record<string, unknown>;
}

const tokenizers = {} as Record<FixtureModel, HfTokenizer>;

beforeAll(async () => {
  for (const model of fixtureModels) {
    const folder = fixtureModelPath(model);
    tokenizers[model] = await loadTokenizer(folderFiles(folder), readJson(folder, 'config.json'));
  }
});

const ids = (model: FixtureModel, text: string) => tokenizers[model].encode(text).ids;
const tokens = (model: FixtureModel, text: string) =>
  tokenizers[model].encode(text, { addSpecialTokens: false }).ids.map((id) => tokenizers[model].idToToken(id));

describe('special tokens and limits of each fixture', () => {
  it.each([
    ['tiny-bert-uncased', '[MASK]', 103, 0, 512, [0, 100, 101, 102, 103]],
    ['tiny-bert-cased-pt', '[MASK]', 103, 0, 512, [0, 100, 101, 102, 103]],
    ['tiny-roberta', '<mask>', 50264, 1, 512, [0, 1, 2, 3, 50264]],
    ['tiny-albert', '[MASK]', 4, 0, 512, [0, 1, 2, 3, 4]],
  ] as const)('%s: mask %s = %i, pad %i, max length %i, specials %j', (model, maskToken, maskTokenId, padTokenId, maxLength, specials) => {
    const tokenizer = tokenizers[model];
    expect(tokenizer.maskToken).toBe(maskToken);
    expect(tokenizer.maskTokenId).toBe(maskTokenId);
    expect(tokenizer.padTokenId).toBe(padTokenId);
    expect(tokenizer.modelMaxLength).toBe(maxLength);
    expect([...tokenizer.specialTokenIds].sort((a, b) => a - b)).toEqual(specials);
    expect(tokenizer.tokenToId(maskToken)).toBe(maskTokenId);
    expect(tokenizer.idToToken(maskTokenId)).toBe(maskToken);
  });
});

describe('framing', () => {
  it('adds [CLS] ... [SEP] for BERT and ALBERT, <s> ... </s> for RoBERTa, with type ids 0', () => {
    expect(tokenizers['tiny-bert-uncased'].encode('hello')).toEqual({ ids: [101, 7592, 102], tokenTypeIds: [0, 0, 0] });
    expect(tokenizers['tiny-roberta'].encode('Paris')).toEqual({ ids: [0, 32826, 2], tokenTypeIds: [0, 0, 0] });
    expect(tokenizers['tiny-albert'].encode('Paris')).toEqual({ ids: [2, 1162, 3], tokenTypeIds: [0, 0, 0] });
  });

  it('adds nothing with addSpecialTokens: false', () => {
    expect(tokenizers['tiny-bert-uncased'].encode('hello', { addSpecialTokens: false }).ids).toEqual([7592]);
    expect(tokenizers['tiny-roberta'].encode(' Paris', { addSpecialTokens: false }).ids).toEqual([2201]);
    expect(tokenizers['tiny-albert'].encode('Paris', { addSpecialTokens: false }).ids).toEqual([1162]);
    expect(tokenizers['tiny-bert-uncased'].encode('', { addSpecialTokens: false })).toEqual({ ids: [], tokenTypeIds: [] });
  });
});

describe('mask tokens with lstrip', () => {
  it('RoBERTa: "is <mask>", "is<mask>" and "is  <mask>" give the same ids, with no space piece before the mask', () => {
    const expected = [0, 354, 50264, 2];
    expect(ids('tiny-roberta', 'is <mask>')).toEqual(expected);
    expect(ids('tiny-roberta', 'is<mask>')).toEqual(expected);
    expect(ids('tiny-roberta', 'is  <mask>')).toEqual(expected);
    expect(ids('tiny-roberta', 'is <mask>')).not.toContain(1437); // "Ġ"
  });

  it('RoBERTa: the mask eats the space before it inside a sentence, not the one after it', () => {
    expect(tokens('tiny-roberta', 'The word is <mask>.')).toEqual(['The', 'Ġword', 'Ġis', '<mask>', '.']);
    expect(ids('tiny-roberta', 'The word is <mask>.')).toEqual([0, 133, 2136, 16, 50264, 4, 2]);
    expect(ids('tiny-roberta', 'The word is<mask>.')).toEqual([0, 133, 2136, 16, 50264, 4, 2]);
    // rstrip is false: the next word keeps its leading space ("Ġis" = 16, not "is" = 354).
    expect(ids('tiny-roberta', '<mask> is')).toEqual([0, 50264, 16, 2]);
  });

  it('ALBERT ([MASK] has lstrip too): "is [MASK]" and "is[MASK]" give the same ids', () => {
    expect(ids('tiny-albert', 'is [MASK]')).toEqual([2, 25, 4, 3]);
    expect(ids('tiny-albert', 'is[MASK]')).toEqual([2, 25, 4, 3]);
    expect(ids('tiny-albert', 'The word is [MASK].')).toEqual([2, 14, 833, 25, 4, 13, 9, 3]);
    expect(ids('tiny-albert', 'The word is[MASK].')).toEqual([2, 14, 833, 25, 4, 13, 9, 3]);
  });

  it('a mask token of the other family is plain text', () => {
    expect(ids('tiny-bert-uncased', 'is <mask>')).toEqual([101, 2003, 1026, 7308, 1028, 102]);
    expect(ids('tiny-roberta', 'is [MASK]')).toEqual([0, 354, 646, 32804, 530, 742, 2]);
    // Added tokens are matched case-sensitively before normalisation: "[mask]" is not the mask.
    expect(ids('tiny-bert-uncased', '[mask]')).toEqual([101, 1031, 7308, 1033, 102]);
  });
});

describe('cased and uncased BERT', () => {
  it('bert-uncased lowercases and strips accents: "Café" is "cafe", "São", "sao" and "SÃO" are all "sao"', () => {
    expect(tokens('tiny-bert-uncased', 'Café cafe')).toEqual(['cafe', 'cafe']);
    expect(ids('tiny-bert-uncased', 'Café São')).toEqual([101, 7668, 7509, 102]);
    expect(ids('tiny-bert-uncased', 'São sao SÃO')).toEqual([101, 7509, 7509, 7509, 102]);
    expect(ids('tiny-bert-uncased', 'ÀÉÎÕÜ')).toEqual([101, 29347, 3695, 2226, 102]); // ae ##io ##u
  });

  it('bert-cased-pt keeps case and accents: "São" ≠ "sao", "Café" ≠ "cafe"', () => {
    expect(tokens('tiny-bert-cased-pt', 'São sao SÃO')).toEqual(['São', 'sa', '##o', 'S', '##ÃO']);
    expect(ids('tiny-bert-cased-pt', 'São sao SÃO')).toEqual([101, 710, 629, 22280, 200, 16484, 102]);
    expect(ids('tiny-bert-cased-pt', 'Café cafe')).toEqual([101, 19724, 19935, 102]);
    expect(tokens('tiny-bert-cased-pt', 'ÀÉÎÕÜ')).toEqual(['À', '##É', '##Î', '##Õ', '##Ü']);
    expect(tokenizers['tiny-bert-cased-pt'].tokenToId('sao')).toBeUndefined();
  });

  it('ALBERT lowercases and strips accents through its normalizer sequence', () => {
    expect(ids('tiny-albert', 'Café cafe')).toEqual([2, 6241, 6241, 3]);
    expect(ids('tiny-albert', 'São sao SÃO')).toEqual([2, 6580, 6580, 6580, 3]);
  });
});

describe('CJK', () => {
  it('BERT splits BMP ideographs one per token (a known char or [UNK] each, never one [UNK] for the run)', () => {
    expect(tokens('tiny-bert-uncased', '北京是')).toEqual(['北', '京', '[UNK]']);
    expect(ids('tiny-bert-uncased', '北京是')).toEqual([101, 1781, 1755, 100, 102]);
    expect(ids('tiny-bert-cased-pt', '北京是')).toEqual([101, 100, 100, 100, 102]);
    // U+2F800 is a CJK compatibility ideograph supplement char; Rust isolates it too.
    expect(ids('tiny-bert-uncased', 'a\u{2F800}b')).toEqual([101, 1037, 100, 1038, 102]);
  });

  it('BERT isolates ASTRAL ideographs as Rust does (U+20000 𠀀, U+2A700): "a𠀀b" is a, [UNK], b', () => {
    expect(tokens('tiny-bert-uncased', 'a\u{20000}b')).toEqual(['a', '[UNK]', 'b']);
    expect(ids('tiny-bert-uncased', 'a\u{20000}b')).toEqual([101, 1037, 100, 1038, 102]);
    expect(ids('tiny-bert-uncased', 'a\u{2A700}b')).toEqual([101, 1037, 100, 1038, 102]);
    expect(ids('tiny-bert-cased-pt', 'a\u{20000}b')).toEqual([101, 123, 100, 235, 102]);
    expect(ids('tiny-bert-uncased', '\u{20000}\u{20001}')).toEqual([101, 100, 100, 102]);
    expect(ids('tiny-bert-uncased', '北\u{20000}京')).toEqual([101, 1781, 100, 1755, 102]);
    expect(ids('tiny-bert-uncased', '\u{20000}')).toEqual([101, 100, 102]);
  });

  it('BERT uses exactly Rust`s astral ranges: the gaps between them stay inside the word', () => {
    const isolated = [0x2a6df, 0x2b73f, 0x2b740, 0x2b81f, 0x2b920, 0x2ceaf, 0x2f800, 0x2fa1f];
    const notIdeographs = [0x2a6e0, 0x2b820, 0x2b91f, 0x2ceb0, 0x2fa20];
    for (const code of isolated) {
      expect(ids('tiny-bert-uncased', `a${String.fromCodePoint(code)}b`), code.toString(16)).toEqual([101, 1037, 100, 1038, 102]);
    }
    // Not isolated: "a?b" is one word, which WordPiece cannot cover, so one [UNK] for it all.
    for (const code of notIdeographs) {
      expect(ids('tiny-bert-uncased', `a${String.fromCodePoint(code)}b`), code.toString(16)).toEqual([101, 100, 102]);
    }
  });

  it('RoBERTa and ALBERT are untouched by the astral fix', () => {
    // Byte-level BPE: the 4 UTF-8 bytes of U+20000, no space pieces ("Ġ" = 1437) around them.
    expect(ids('tiny-roberta', 'a\u{20000}b')).toEqual([0, 102, 49585, 21402, 7471, 7471, 428, 2]);
    expect(ids('tiny-roberta', 'a\u{2A700}b')).toEqual([0, 102, 49585, 10278, 48, 7471, 428, 2]);
    // SentencePiece: the ideograph is an <unk> piece inside the word, and "b" has no "▁".
    expect(ids('tiny-albert', 'a\u{20000}b')).toEqual([2, 21, 1, 220, 3]);
    expect(ids('tiny-albert', 'a\u{2A700}b')).toEqual([2, 21, 1, 220, 3]);
    expect(ids('tiny-albert', '北京是')).toEqual([2, 13, 1, 3]);
  });

  it('the fix follows the normalizer: none without handle_chinese_chars, applied inside a Sequence', () => {
    const folder = fixtureModelPath('tiny-bert-uncased');
    const json = readJson(folder, 'tokenizer.json');
    const config = readJson(folder, 'tokenizer_config.json');
    const bertNormalizer = json.normalizer as Record<string, unknown>;
    const build = (normalizer: unknown) =>
      new HfTokenizer({
        tokenizerJson: { ...json, normalizer },
        tokenizerConfig: config,
        maskToken: '[MASK]',
        maskTokenId: 103,
        padTokenId: 0,
        modelMaxLength: 512,
      });

    // Rust with handle_chinese_chars false: "a𠀀b" and "北京是" are single words that WordPiece
    // cannot cover (one [UNK] each), and "北京" is 北 ##京.
    const noChinese = build({ ...bertNormalizer, handle_chinese_chars: false });
    expect(noChinese.encode('a\u{20000}b').ids).toEqual([101, 100, 102]);
    expect(noChinese.encode('北京').ids).toEqual([101, 1781, 30281, 102]);
    expect(noChinese.encode('北京是').ids).toEqual([101, 100, 102]);

    const inSequence = build({ type: 'Sequence', normalizers: [bertNormalizer] });
    expect(inSequence.encode('a\u{20000}b').ids).toEqual([101, 1037, 100, 1038, 102]);
    expect(inSequence.encode('北京是').ids).toEqual([101, 1781, 1755, 100, 102]);
  });

  it('splitAstralIdeographs spaces out astral ideographs only', () => {
    expect(splitAstralIdeographs('a\u{20000}b')).toBe('a \u{20000} b');
    expect(splitAstralIdeographs('\u{20000}\u{2A700}')).toBe(' \u{20000}  \u{2A700} ');
    expect(splitAstralIdeographs('北京 a\u{1F355}b \u{2B820}')).toBe('北京 a\u{1F355}b \u{2B820}');
  });
});

describe('characters outside the vocabulary', () => {
  it('an emoji is [UNK] for BERT', () => {
    expect(tokens('tiny-bert-uncased', 'I love pizza 🍕')).toEqual(['i', 'love', 'pizza', '[UNK]']);
    expect(ids('tiny-bert-uncased', 'I love pizza 🍕')).toEqual([101, 1045, 2293, 10733, 100, 102]);
    expect(ids('tiny-bert-cased-pt', 'I love pizza 🍕')).toEqual([101, 290, 1340, 301, 13779, 15616, 100, 102]);
    expect(ids('tiny-bert-uncased', '\u{1F600}\u{1F600}')).toEqual([101, 100, 102]);
  });

  it('an emoji is bytes for RoBERTa', () => {
    expect(ids('tiny-roberta', '🍕')).toEqual([0, 6569, 8384, 15722, 2]);
  });

  it('a word longer than 100 characters is a single [UNK] (WordPiece max_input_chars_per_word)', () => {
    expect(ids('tiny-bert-uncased', 'x'.repeat(101))).toEqual([101, 100, 102]);
    expect(ids('tiny-bert-uncased', `The ${'x'.repeat(101)} is [MASK].`)).toEqual([101, 1996, 100, 2003, 103, 1012, 102]);
    expect(ids('tiny-bert-cased-pt', `The ${'x'.repeat(101)} is [MASK].`)).toEqual([101, 1389, 100, 847, 103, 119, 102]);
    // 100 characters is still split: "xx" then 49 × "##xx".
    expect(ids('tiny-bert-uncased', 'x'.repeat(100))).toEqual([101, 22038, ...new Array<number>(49).fill(20348), 102]);
  });

  it('the 100-character limit counts characters, not UTF-16 code units', () => {
    // "##𐬁" (U+10B01, two code units) is in the Portuguese vocabulary: 100 characters still split.
    expect(ids('tiny-bert-cased-pt', `a${'\u{10B01}'.repeat(3)}`)).toEqual([101, 123, 24410, 24410, 24410, 102]);
    expect(ids('tiny-bert-cased-pt', `a${'\u{10B01}'.repeat(99)}`)).toEqual([101, 123, ...new Array<number>(99).fill(24410), 102]);
    expect(ids('tiny-bert-cased-pt', `a${'\u{10B01}'.repeat(100)}`)).toEqual([101, 100, 102]);
  });

  it('BERT drops control and zero-width characters, joining the word around them', () => {
    // U+0085 (NEL) is a control character (Cc) before it is a space: Rust drops it.
    for (const char of ['\u200b', '\u0007', '\u0000', '\ufffd', '\u00ad', '\u200d', '\ufeff', '\u0085']) {
      expect(ids('tiny-bert-uncased', `a${char}b`), JSON.stringify(char)).toEqual([101, 11113, 102]); // "ab"
    }
    expect(ids('tiny-bert-uncased', 'hello\u00adworld')).toEqual([101, 7592, 11108, 102]);
    expect(ids('tiny-bert-cased-pt', 'a\u200bb')).toEqual([101, 472, 102]);
    expect(ids('tiny-bert-uncased', '\u200b\u200b')).toEqual([101, 102]);
  });

  it('BERT treats Unicode spaces as spaces', () => {
    for (const char of ['\u00a0', '\u3000', '\u2003', '\u202f', '\u205f', '\u1680', '\u2028']) {
      expect(ids('tiny-bert-uncased', `a${char}b`), JSON.stringify(char)).toEqual([101, 1037, 1038, 102]);
    }
  });

  it('RoBERTa keeps control and zero-width characters as bytes', () => {
    expect(ids('tiny-roberta', 'a\u200bb')).toEqual([0, 102, 13635, 428, 2]);
    expect(ids('tiny-roberta', 'a\u0007b')).toEqual([0, 102, 50115, 428, 2]);
    expect(ids('tiny-roberta', 'a\u0000b')).toEqual([0, 102, 50108, 428, 2]);
  });

  it('ALBERT maps a zero-width space to a space and drops a bell', () => {
    expect(ids('tiny-albert', 'a\u200bb')).toEqual([2, 21, 334, 3]);
    expect(ids('tiny-albert', 'a\u0007b')).toEqual([2, 5941, 3]);
  });
});

describe('empty and whitespace-only input', () => {
  it.each(['', '   ', '\t\n', '\u3000'])('BERT and ALBERT give only the framing for %j', (text) => {
    expect(ids('tiny-bert-uncased', text)).toEqual([101, 102]);
    expect(ids('tiny-bert-cased-pt', text)).toEqual([101, 102]);
    expect(ids('tiny-albert', text)).toEqual([2, 3]);
  });

  it('RoBERTa keeps each space as a byte', () => {
    expect(ids('tiny-roberta', '')).toEqual([0, 2]);
    expect(ids('tiny-roberta', '   ')).toEqual([0, 1437, 1437, 1437, 2]);
    expect(ids('tiny-roberta', '\t\n')).toEqual([0, 50117, 50118, 2]);
  });
});

describe('transformers.js reference inputs (fp32)', () => {
  for (const model of fixtureModels) {
    it(`${model}: every replayable case gives the reference model_input_ids and tokens`, () => {
      const reference = loadReference(model, 'fp32');
      const cases = reference.cases.filter(isReplayable);
      expect(cases.length).toBeGreaterThanOrEqual(20);
      expect(reference.mask_token_id).toBe(tokenizers[model].maskTokenId);
      expect(reference.model_max_length).toBe(tokenizers[model].modelMaxLength);
      for (const referenceCase of cases) {
        const encoded = tokenizers[model].encode(referenceCase.input);
        expect(encoded.ids, referenceCase.id).toEqual(referenceCase.model_input_ids);
        expect(encoded.tokenTypeIds, referenceCase.id).toEqual(new Array<number>(encoded.ids.length).fill(0));
        // transformers.js lists an unknown SentencePiece piece by its text (its id, checked above, is <unk> = 1).
        const unknown = model === 'tiny-albert' ? 1 : undefined;
        const unframed = tokenizers[model].encode(referenceCase.input, { addSpecialTokens: false }).ids;
        expect(
          unframed.map((id, index) => (id === unknown ? referenceCase.tokens[index] : tokenizers[model].idToToken(id))),
          referenceCase.id,
        ).toEqual(referenceCase.tokens);
      }
    });
  }
});

describe('decode', () => {
  it('BERT: keeps the special tokens unless asked, joins pieces, cleans up spaces', () => {
    const tokenizer = tokenizers['tiny-bert-uncased'];
    const encoded = [101, 1996, 3007, 1997, 2605, 2003, 103, 1012, 102];
    expect(tokenizer.decode(encoded)).toBe('[CLS] the capital of france is [MASK]. [SEP]');
    expect(tokenizer.decode(encoded, { skipSpecialTokens: false })).toBe('[CLS] the capital of france is [MASK]. [SEP]');
    expect(tokenizer.decode(encoded, { skipSpecialTokens: true })).toBe('the capital of france is.');
    expect(tokenizer.decode([21628, 2015])).toBe('tabs'); // tab ##s
    expect(tokenizer.decode([2064, 1005, 1056])).toBe("can't"); // can ' t, cleaned up as Python does
    expect(tokenizer.decode([])).toBe('');
  });

  it('RoBERTa: byte-level, the leading space of a token is kept', () => {
    const tokenizer = tokenizers['tiny-roberta'];
    const encoded = [0, 133, 812, 9, 1470, 16, 50264, 4, 2];
    expect(tokenizer.decode(encoded)).toBe('<s>The capital of France is<mask>.</s>');
    expect(tokenizer.decode(encoded, { skipSpecialTokens: true })).toBe('The capital of France is.');
    expect(tokenizer.decode([2201])).toBe(' Paris');
    expect(tokenizer.decode([0, 104, 4214, 2])).toBe('<s>São</s>');
    expect(tokenizer.decode([0, 102, 49585, 21402, 7471, 7471, 428, 2], { skipSpecialTokens: true })).toBe('a\u{20000}b');
  });

  it('ALBERT: metaspace pieces become spaces', () => {
    const tokenizer = tokenizers['tiny-albert'];
    const encoded = [2, 14, 1057, 16, 714, 25, 4, 13, 9, 3];
    expect(tokenizer.decode(encoded)).toBe('[CLS] the capital of france is[MASK].[SEP]');
    expect(tokenizer.decode(encoded, { skipSpecialTokens: true })).toBe('the capital of france is.');
    expect(tokenizer.decode([1162])).toBe('paris');
  });

  it('bert-cased-pt keeps accents and case', () => {
    const tokenizer = tokenizers['tiny-bert-cased-pt'];
    expect(tokenizer.decode([101, 710, 1033, 253, 123, 103, 171, 771, 119, 102], { skipSpecialTokens: true })).toBe(
      'São Paulo é a do Brasil.',
    );
  });
});

describe('tokenToId and idToToken', () => {
  it('look up exact vocabulary entries, added tokens included', () => {
    expect(tokenizers['tiny-bert-uncased'].tokenToId('the')).toBe(1996);
    expect(tokenizers['tiny-bert-uncased'].tokenToId('##s')).toBe(2015);
    expect(tokenizers['tiny-bert-uncased'].tokenToId('[CLS]')).toBe(101);
    expect(tokenizers['tiny-bert-uncased'].idToToken(7668)).toBe('cafe');
    expect(tokenizers['tiny-bert-cased-pt'].tokenToId('São')).toBe(710);
    expect(tokenizers['tiny-roberta'].tokenToId('ĠParis')).toBe(2201);
    expect(tokenizers['tiny-roberta'].tokenToId('Paris')).toBe(32826);
    expect(tokenizers['tiny-roberta'].idToToken(1437)).toBe('Ġ');
    expect(tokenizers['tiny-roberta'].idToToken(1)).toBe('<pad>');
    expect(tokenizers['tiny-albert'].tokenToId('▁the')).toBe(14);
    expect(tokenizers['tiny-albert'].idToToken(1)).toBe('<unk>');
  });

  it('give undefined for what is not in the vocabulary', () => {
    // No normalisation: "Paris" is not an uncased entry, " Paris" (a real space) is not a RoBERTa one.
    expect(tokenizers['tiny-bert-uncased'].tokenToId('Paris')).toBeUndefined();
    expect(tokenizers['tiny-roberta'].tokenToId(' Paris')).toBeUndefined();
    expect(tokenizers['tiny-albert'].tokenToId('the capital')).toBeUndefined();
    expect(tokenizers['tiny-bert-uncased'].tokenToId('')).toBeUndefined();
    expect(tokenizers['tiny-bert-uncased'].idToToken(30522)).toBeUndefined();
    expect(tokenizers['tiny-roberta'].idToToken(50265)).toBeUndefined();
    expect(tokenizers['tiny-bert-uncased'].idToToken(-1)).toBeUndefined();
  });
});

describe('ids past the vocabulary', () => {
  // Models whose embedding matrix is padded past the tokenizer (nomic-bert-2048, DeBERTa-v3, ModernBERT)
  // can rank such an id. Python's tokenizers decode it to nothing: [30522] is "", [1996, 30522, 2003] "the is".
  it.each([
    ['tiny-bert-uncased', 30522, [1996, 30522, 2003], 'the is'],
    ['tiny-roberta', 50265, [5, 50265, 6], ' the,'],
    ['tiny-albert', 30000, [13, 30000, 14], ' the'],
  ] as const)('%s: id %i decodes to "", and drops out of a longer decode', (model, pastVocabulary, ids, expected) => {
    expect(tokenizers[model].decode([pastVocabulary])).toBe('');
    expect(tokenizers[model].decode(ids)).toBe(expected);
    expect(tokenizers[model].decode(ids.filter((id) => id !== pastVocabulary))).toBe(expected);
  });
});
