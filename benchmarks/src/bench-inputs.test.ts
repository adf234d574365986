import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusSentences, evalFiles, knownEvalFiles, maskedSentences } from './bench-inputs.js';

const folder = mkdtempSync(join(tmpdir(), 'fillmask-bench-inputs-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function corpusFile(name: string, lines: readonly string[]): string {
  const path = join(folder, name);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}

const general = corpusFile('general.txt', [
  'Too short.',
  'The quick brown fox jumps over the lazy dog near the river bank.',
  'A stitch in time saves nine, or so the old saying goes.',
  '123 456 789 000 111 222',
  'She sells sea shells by the sea shore every summer morning.',
  'word '.repeat(41).trim(),
]);
const medical = corpusFile('medical.txt', [
  'The patient was given aspirin after the surgery on Monday.',
  'Blood pressure was measured twice a day during the trial.',
]);

describe('maskedSentences', () => {
  it('gives the same sentences on every run, and another set for another seed', () => {
    const first = maskedSentences([general, medical], 4, '<mask>');
    expect(maskedSentences([general, medical], 4, '<mask>')).toEqual(first);
    expect(maskedSentences([general, medical], 4, '<mask>', 7)).not.toEqual(first);
  });

  it('masks exactly one word of three or more letters in lines of 5 to 40 words, taken across the files', () => {
    const sentences = maskedSentences([general, medical], 4, '[MASK]');
    expect(sentences).toHaveLength(4);
    const sources = [
      'The quick brown fox jumps over the lazy dog near the river bank.',
      'A stitch in time saves nine, or so the old saying goes.',
      'She sells sea shells by the sea shore every summer morning.',
      'The patient was given aspirin after the surgery on Monday.',
      'Blood pressure was measured twice a day during the trial.',
    ];
    for (const sentence of sentences) {
      expect(sentence.split('[MASK]')).toHaveLength(2);
      const words = sentence.split(' ');
      const masked = words.indexOf('[MASK]');
      const source = sources.find((line) => line.split(' ').every((word, index) => index === masked || word === words[index]));
      expect(source, sentence).toBeDefined();
      expect(source!.split(' ')[masked]).toMatch(/^[A-Za-z]{3,}$/);
    }
    // Two per file: the medical file gives both of its lines.
    expect(sentences.filter((sentence) => /patient|Blood/.test(sentence))).toHaveLength(2);
  });

  it('gives fewer sentences than asked when the files hold too few', () => {
    expect(maskedSentences([medical], 10, '<mask>')).toHaveLength(2);
  });
});

describe('evalFiles', () => {
  it('lists the known files in the order the benchmark has always read them, then the others by name', () => {
    const corpus = join(folder, 'corpus');
    mkdirSync(join(corpus, 'eval'), { recursive: true });
    for (const name of ['zeta.txt', knownEvalFiles[5], 'alpha.txt', knownEvalFiles[0], knownEvalFiles[2], 'notes.md'])
      writeFileSync(join(corpus, 'eval', name), 'One two three four five.\n');
    expect(evalFiles(corpus).map((file) => basename(file))).toEqual([
      knownEvalFiles[0],
      knownEvalFiles[2],
      knownEvalFiles[5],
      'alpha.txt',
      'zeta.txt',
    ]);
  });

  it('refuses a corpus folder without sentences', () => {
    const empty = join(folder, 'empty');
    mkdirSync(join(empty, 'eval'), { recursive: true });
    expect(() => evalFiles(empty)).toThrow(/no \.txt files/);
  });
});

describe("the repository's corpus", () => {
  // Pinned so that an edit of benchmarks/corpus or of the choice shows up here before it moves the
  // benchmark's numbers: the throughput rows are comparable only on the same sentences.
  it('gives the same 512 sentences on every checkout', () => {
    const corpus = fileURLToPath(new URL('../corpus', import.meta.url));
    const files = evalFiles(corpus);
    expect(files.map((file) => basename(file))).toEqual([
      'general_harvard_sentences.txt',
      'general_wikipedia_wikitext2_test.txt',
      'general_gutenberg_heldout_authors.txt',
      'bio_consumer_health_medquad.txt',
    ]);
    const sentences = maskedSentences(files, 512, '<mask>');
    expect(sentences).toHaveLength(512);
    expect(createHash('sha256').update(sentences.join('\n')).digest('hex')).toBe(
      'dd7cf4ad8551e17e5c87c48429480be6569037c61fd4198f3293e4d771466abc',
    );
  });
});

describe('corpusSentences', () => {
  it('gives the sentences maskedSentences masks, unmasked, with the index of the word it masks', () => {
    const chosen = corpusSentences([general, medical], 4);
    expect(chosen.map(({ words, maskedWord }) => words.map((word, index) => (index === maskedWord ? '<mask>' : word)).join(' '))).toEqual(
      maskedSentences([general, medical], 4, '<mask>'),
    );
    expect(chosen.map(({ words }) => words.join(' '))).toContain('The patient was given aspirin after the surgery on Monday.');
  });
});
