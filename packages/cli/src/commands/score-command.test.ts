import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import { fillmask } from '../cli.test-helper.js';
import { runCli } from '../run-cli.js';
import { directPll, expectRelativelyClose } from './score-oracle.test-helper.js';

const bert = fixtureModelPath('tiny-bert-uncased');
const roberta = fixtureModelPath('tiny-roberta');
const texts = ['She opened the door and walked in.', "The unbelievable tokenization works, doesn't it?", 'A b.'];

function jsonLines(stdout: string): Array<Record<string, unknown>> {
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** A stderr that claims to be a terminal, to see what a user at one sees. */
function terminalStderr(): { stream: Writable & { isTTY: boolean }; text: () => string } {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        text += String(chunk);
        done();
      },
    }),
    { isTTY: true },
  );
  return { stream, text: () => text };
}

describe('fillmask score', () => {
  let workDir: string;

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/bin.js', import.meta.url)))
      throw new Error('packages/cli/dist is missing: run npm run build first (npm test does).');
    workDir = await mkdtemp(join(tmpdir(), 'fillmask-score-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('--jsonl: one line per text, in order, with the PLL of the ONNX logits, then the corpus summary', async () => {
    const run = await fillmask(['score', '-m', bert, '--jsonl', ...texts]);
    expect(run.code, run.stderr).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(texts.length + 1);
    let pll = 0;
    let tokens = 0;
    for (const [index, text] of texts.entries()) {
      const expected = await directPll(bert, text);
      const line = lines[index] as { pll: number; tokens: number; pppl: number };
      expect(Object.keys(line)).toEqual(['pll', 'tokens', 'pppl']);
      expect(line.tokens).toBe(expected.tokens);
      expect(expectRelativelyClose(line.pll, expected.pll), `${line.pll} vs ${expected.pll}`).toBe(true);
      expect(expectRelativelyClose(line.pppl, Math.exp(-expected.pll / expected.tokens))).toBe(true);
      pll += expected.pll;
      tokens += expected.tokens;
    }
    const { summary } = lines[texts.length] as { summary: { pll: number; tokens: number; pppl: number; texts: number } };
    expect(summary.tokens).toBe(tokens);
    expect(summary.texts).toBe(texts.length);
    expect(expectRelativelyClose(summary.pll, pll)).toBe(true);
    expect(expectRelativelyClose(summary.pppl, Math.exp(-pll / tokens))).toBe(true);
  });

  it('--mode word-l2r --per-token: each sub-token scored with the rest of its word masked', async () => {
    const text = "The unbelievable tokenization works, doesn't it?";
    const run = await fillmask(['score', '-m', roberta, '--jsonl', '--mode', 'word-l2r', '--per-token', text]);
    expect(run.code, run.stderr).toBe(0);
    const [line] = jsonLines(run.stdout) as Array<{ pll: number; perToken: Array<{ token: string; logProbability: number }> }>;
    expect(line.perToken.map((entry) => entry.token)).toEqual([
      'The',
      'Ġunbelievable',
      'Ġtoken',
      'ization',
      'Ġworks',
      ',',
      'Ġdoesn',
      "'t",
      'Ġit',
      '?',
    ]);
    const expected = await directPll(roberta, text, [0, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(expectRelativelyClose(line.pll, expected.pll)).toBe(true);
    for (const [index, entry] of line.perToken.entries()) {
      expect(expectRelativelyClose(entry.logProbability, expected.logProbabilities[index])).toBe(true);
    }
    const tokenMode = jsonLines((await fillmask(['score', '-m', roberta, '--jsonl', text])).stdout)[0] as { pll: number };
    expect(Math.abs(tokenMode.pll - line.pll)).toBeGreaterThan(1e-3);
  });

  it('reads a file (blank lines skipped); a failing line gives an error line, the rest go on, exit status 1', async () => {
    const file = join(workDir, 'corpus.txt');
    const long = Array.from({ length: 600 }, () => 'word').join(' ');
    await writeFile(file, `${texts[0]}\n\n${long}\n${texts[2]}\n`);
    const run = await fillmask(['score', '-m', bert, '--jsonl', '-f', file]);
    expect(run.code).toBe(1);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(4);
    expect(lines[1]).toEqual({ error: expect.stringContaining('at most 512') });
    const single = jsonLines((await fillmask(['score', '-m', bert, '--jsonl', texts[0], texts[2]])).stdout);
    expect([lines[0], lines[2], lines[3]]).toEqual([single[0], single[1], { summary: { ...(single[2].summary as object) } }]);
    // Progress goes to a terminal only: this stderr is a pipe.
    expect(run.stderr).toBe('');

    const truncated = await fillmask(['score', '-m', bert, '--jsonl', '--truncation', long]);
    expect(truncated.code, truncated.stderr).toBe(0);
    expect(jsonLines(truncated.stdout)[0].tokens).toBe(510);
  });

  it('prints a readable table with a corpus row, and fails on a text with nothing to score', async () => {
    const run = await fillmask(['score', '-m', bert, texts[0], texts[2]]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\s+PLL\s+tokens\s+PPPL\s+text$/);
    expect(lines[1]).toMatch(/^\s+-\d+\.\d{3}\s+8\s+\d+\.\d{2}\s+She opened the door and walked in\.$/);
    expect(lines[2]).toMatch(/^\s+-\d+\.\d{3}\s+3\s+\d+\.\d{2}\s+A b\.$/);
    expect(lines[3]).toMatch(/^\s+-\d+\.\d{3}\s+11\s+\d+\.\d{2}\s+\(all 2 texts\)$/);

    const empty = await fillmask(['score', '-m', bert, '[CLS] [SEP]']);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('at least one token to score');
  });

  it('draws a progress bar on a terminal for a file, not with --quiet', async () => {
    const file = join(workDir, 'progress.txt');
    await writeFile(file, `${texts.join('\n')}\n`);
    const stdout = new PassThrough();
    stdout.resume();
    const shown = terminalStderr();
    expect(
      await runCli(['score', '-m', bert, '--batch-size', '4', '-f', file], { stdin: new PassThrough(), stdout, stderr: shown.stream }),
    ).toBe(0);
    expect(shown.text()).toContain('\rscoring [');
    expect(shown.text()).toContain('3/3 100%');
    expect(shown.text().endsWith('\n')).toBe(true);
    const quiet = terminalStderr();
    expect(await runCli(['score', '-m', bert, '-q', '-f', file], { stdin: new PassThrough(), stdout, stderr: quiet.stream })).toBe(0);
    expect(quiet.text()).toBe('');
  });

  it('documents its options, and rejects wrong ones with exit status 2', async () => {
    const help = await fillmask(['score', '--help']);
    expect(help.code).toBe(0);
    for (const flag of [
      '--model',
      '--input-file',
      '--mode',
      '--per-token',
      '--jsonl',
      '--truncation',
      '--batch-size',
      '--batch-tokens',
      '--quiet',
    ])
      expect(help.stdout).toContain(flag);
    // Scoring reads logits, which no service returns: the remote backend's flag is not offered.
    expect(help.stdout).not.toContain('--endpoint-url');
    const main = await fillmask(['--help']);
    expect(main.stdout).toMatch(/^ {2}score {2}score texts with the masked LM/m);
    expect(main.stdout).toMatch(/^ {2}eval {3}cloze accuracy/m);
    for (const argv of [
      ['score', '--mode', 'words', 'A text.'],
      ['score'],
      ['score', '-f', 'x.txt', 'A text.'],
      ['score', '--top-k', '3', 'A text.'],
      ['score', '--endpoint-url', 'http://127.0.0.1:1', 'A text.'],
      ['score', '-f', workDir, '-m', bert],
    ]) {
      const run = await fillmask(argv);
      expect(run.code, argv.join(' ')).toBe(2);
      expect(run.stderr).toContain('fillmask score --help');
    }
  });

  it('reads [MASK] and <mask> as the mask whatever the model: context, not scored', async () => {
    for (const [model, ownToken] of [
      [bert, '[MASK]'],
      [roberta, '<mask>'],
    ]) {
      const own = await fillmask(['score', '-m', model, '--jsonl', `Paris is the ${ownToken} of France.`]);
      expect(own.code, own.stderr).toBe(0);
      for (const spelling of ['[MASK]', '<mask>']) {
        const run = await fillmask(['score', '-m', model, '--jsonl', `Paris is the ${spelling} of France.`]);
        expect(run.stdout).toBe(own.stdout);
      }
      // The mask is not scored: one token fewer than with a word in its place.
      const word = jsonLines((await fillmask(['score', '-m', model, '--jsonl', 'Paris is the capital of France.'])).stdout);
      expect(jsonLines(own.stdout)[0].tokens).toBe((word[0].tokens as number) - 1);
    }
  });

  it('names --truncation, not the library option, for a text too long, and the line it is on', async () => {
    const file = join(workDir, 'long.txt');
    await writeFile(file, `A short line.\n\n${'word '.repeat(600)}\n`);
    const run = await fillmask(['score', '-m', bert, '-f', file]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^fillmask score: Line 3 is \d+ tokens long .* pass --truncation to score only its first 512 tokens\.\n$/);
    expect(run.stderr).not.toContain('{ truncation: true }');
  });

  it('refuses a service backend, which returns no logits: a usage error, before any model loads', async () => {
    const run = await fillmask(['score', '-m', 'some/model', '-b', 'remote', 'A text.']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('service backend (-b remote) does not return');
  });
});
