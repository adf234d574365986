import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import { fillmask } from '../cli.test-helper.js';
import { folderTokenizer } from './score-oracle.test-helper.js';

const bert = fixtureModelPath('tiny-bert-uncased');
const sentences = [
  'The birch canoe slid on the smooth planks.',
  'Glue the sheet to the dark blue background.',
  "It's easy to tell the depth of a well.",
  'These days a chicken leg is a rare dish.',
  'Rice is often served in round bowls.',
  'The juice of lemons makes fine punch.',
  'The box was thrown beside the parked truck.',
  'The hogs were fed chopped corn and garbage.',
  'Four hours of steady work faced us.',
  'A large size in stockings is hard to sell.',
  // No word of letters at all: skipped.
  '1234 5678 !!',
];

interface EvalLine {
  text: string;
  masked?: string;
  word?: string;
  predictions?: string[];
  top1?: boolean;
  top5?: boolean;
  skipped?: string;
}

function jsonLines(stdout: string): EvalLine[] {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EvalLine);
}

describe('fillmask eval', () => {
  let workDir: string;
  let file: string;

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/bin.js', import.meta.url)))
      throw new Error('packages/cli/dist is missing: run npm run build first (npm test does).');
    workDir = await mkdtemp(join(tmpdir(), 'fillmask-eval-'));
    file = join(workDir, 'sentences.txt');
    await writeFile(file, `${sentences.join('\n')}\n`);
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('masks one single-token word per sentence and reports what fill ranks for it', async () => {
    const run = await fillmask(['eval', '-m', bert, '--jsonl', '-f', file]);
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(sentences.length + 1);
    const tokenizer = await folderTokenizer(bert);
    const evaluated = lines.slice(0, -1).filter((line) => line.skipped === undefined);
    expect(evaluated).toHaveLength(sentences.length - 1);
    expect(lines[sentences.length - 1]).toEqual({ text: '1234 5678 !!', skipped: expect.stringContaining('single token') });
    for (const [index, line] of evaluated.entries()) {
      expect(line.text).toBe(sentences[index]);
      // The word was cut out whole and is one token of the sentence.
      expect(line.masked!.replace('[MASK]', line.word!)).toBe(line.text);
      expect(line.text.split(/\s+/).some((word) => word.replace(/[.,'!?]+$/, '') === line.word)).toBe(true);
      const wordIds = tokenizer.encode(line.word!, { addSpecialTokens: false }).ids;
      expect(wordIds).toHaveLength(1);
      // The predictions are fill's own top 5 for the masked sentence.
      const fill = await fillmask(['fill', '-m', bert, '--json', '-k', '5', line.masked!]);
      const ranked = JSON.parse(fill.stdout) as Array<{ token: number; token_str: string }>;
      expect(line.predictions).toEqual(ranked.map((prediction) => prediction.token_str));
      expect(line.top1).toBe(ranked[0].token === wordIds[0]);
      expect(line.top5).toBe(ranked.some((prediction) => prediction.token === wordIds[0]));
    }
    const summary = (lines.at(-1) as unknown as { summary: Record<string, number> }).summary;
    expect(summary).toEqual({
      sentences: sentences.length,
      evaluated: evaluated.length,
      skipped: 1,
      top1: evaluated.filter((line) => line.top1).length / evaluated.length,
      top5: evaluated.filter((line) => line.top5).length / evaluated.length,
      seed: 0,
    });
  });

  it('draws the same words for the same seed and other words for another seed', async () => {
    const words = async (seed: string) =>
      jsonLines((await fillmask(['eval', '-m', bert, '--jsonl', '--seed', seed, '-f', file])).stdout)
        .slice(0, -1)
        .map((line) => line.word);
    const first = await words('1');
    expect(await words('1')).toEqual(first);
    const other = await words('2');
    expect(other.filter((word, index) => word !== first[index]).length).toBeGreaterThan(2);
    // The draw of a line does not depend on the lines before it.
    const alone = jsonLines((await fillmask(['eval', '-m', bert, '--jsonl', '--seed', '1', sentences[0]])).stdout);
    expect(alone[0].word).toBe(first[0]);
  });

  it('keeps a mask of the sentence, <mask> on a BERT model as its own [MASK], and asks for another word', async () => {
    const text = 'The <mask> opened a door and walked in.';
    const aliased = await fillmask(['eval', '-m', bert, '--jsonl', text]);
    const own = await fillmask(['eval', '-m', bert, '--jsonl', text.replace('<mask>', '[MASK]')]);
    expect(aliased.code, aliased.stderr).toBe(0);
    const [line, summary] = jsonLines(aliased.stdout);
    const [ownLine] = jsonLines(own.stdout);
    // The same question and answers whichever spelling: `<mask>` is not the text "<", "mask", ">".
    expect({ ...line, text: ownLine.text }).toEqual(ownLine);
    expect(line.word).not.toMatch(/mask/i);
    expect(line.masked!.split('[MASK]')).toHaveLength(3);
    // The predictions are fill's for the drawn word's mask, not for the sentence's own.
    const fill = await fillmask(['fill', '-m', bert, '--json', '-k', '5', line.masked!]);
    const perMask = JSON.parse(fill.stdout) as Array<Array<{ token_str: string }>>;
    const wordFirst = new RegExp(`\\b${line.word}\\b`).exec(text)!.index < text.indexOf('<mask>');
    expect(line.predictions).toEqual(perMask[wordFirst ? 0 : 1].map((prediction) => prediction.token_str));
    expect(summary).toEqual({ summary: expect.objectContaining({ sentences: 1, evaluated: 1 }) });
  });

  it('prints a readable table and the hit rates', async () => {
    const run = await fillmask(['eval', '-m', bert, sentences[0], sentences[10]]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^top1\s+top5\s+word\s+predictions\s+text$/);
    expect(lines[1]).toMatch(/^\s+(yes|-)\s+(yes|-)\s+\S+\s+.+\[MASK\]/);
    expect(lines[2]).toMatch(/^top-1 \d+\.\d% {2}top-5 \d+\.\d% {2}over 1 sentences \(1 skipped: no single-token word\), seed 0$/);
  });

  it('documents its options and rejects wrong ones with exit status 2', async () => {
    const help = await fillmask(['eval', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--model', '--input-file', '--seed', '--jsonl', '--quiet', '--endpoint-url']) expect(help.stdout).toContain(flag);
    expect((await fillmask(['eval', '--seed', '-1', 'A text.'])).code).toBe(2);
    expect((await fillmask(['eval'])).code).toBe(2);
    const missing = await fillmask(['eval', '-f', join(workDir, 'missing.txt')]);
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringContaining('--input-file: no such file:')]);
  });
});
