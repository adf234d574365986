import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { maskedSentences } from './bench-inputs.js';

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
