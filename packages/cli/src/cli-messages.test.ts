import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer } from '@fillmask/test-hub-server';
import { fillmask } from './cli.test-helper.js';
import { runCli } from './run-cli.js';

// What a first user trips on, and what the CLI says then: each message names the flag or the file and
// what to do. The real CLI in its own process, but for the progress bar, which needs a terminal.

const bert = fixtureModelPath('tiny-bert-uncased');
const whatAHubIdLooksLike = 'a Hub id looks like org/name';

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

describe('fillmask messages', () => {
  let workDir: string;

  beforeAll(async () => {
    if (!existsSync(new URL('../dist/bin.js', import.meta.url)))
      throw new Error('packages/cli/dist is missing: run npm run build first (npm test does).');
    workDir = await mkdtemp(join(tmpdir(), 'fillmask-messages-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  describe('-m', () => {
    it('a value that exists as a file, or looks like a path, is a local folder that is not there: no request', async () => {
      const cwd = join(workDir, 'cwd');
      await mkdir(cwd);
      await writeFile(join(cwd, 'README.md'), '# not a model\n');
      await writeFile(join(cwd, 'notes'), 'not a model either\n');
      const hub = await startHubServer({ repos: {} });
      try {
        const env = { HF_ENDPOINT: hub.url, HF_HOME: join(workDir, 'hf-home') };
        for (const [model, said] of [
          ['README.md', `-m README.md: ${join(cwd, 'README.md')} is a file, not a model folder.`],
          ['notes', `-m notes: ${join(cwd, 'notes')} is a file, not a model folder.`],
          ['model.onnx', `-m model.onnx: no such folder (${join(cwd, 'model.onnx')}).`],
          ['./no-such-folder', `-m ./no-such-folder: no such folder (${join(cwd, 'no-such-folder')}).`],
          ['../no-such-folder', '-m ../no-such-folder: no such folder'],
          ['models/org/name', '-m models/org/name: no such folder'],
          ['some-dir/', '-m some-dir/: no such folder'],
        ]) {
          const run = await fillmask(['-m', model, 'a [MASK].'], { env, cwd });
          expect(run.code, model).toBe(1);
          expect(run.stderr.startsWith(`fillmask: ${said}`), run.stderr).toBe(true);
          expect(run.stderr).toContain(whatAHubIdLooksLike);
          expect(run.stderr).not.toMatch(/huggingface|HF_ENDPOINT|Could not reach/);
        }
        for (const command of [['score'], ['eval'], ['serve', '--port', '0']]) {
          const run = await fillmask([...command, '-m', 'README.md', ...(command[0] === 'serve' ? [] : ['A text.'])], { env, cwd });
          expect(run.code, command[0]).toBe(1);
          expect(run.stderr).toContain('README.md is a file, not a model folder.');
        }
        expect(hub.requests).toEqual([]);
      } finally {
        await hub.close();
      }
    });

    it('a bare name that is no folder goes to the Hub; when the Hub has none, says no folder has it either', async () => {
      const hub = await startHubServer({ repos: {} });
      try {
        const env = { HF_ENDPOINT: hub.url, HF_HOME: join(workDir, 'hf-home') };
        const run = await fillmask(['-m', 'no-such-folder', 'a [MASK].'], { env, cwd: workDir });
        expect(run.code).toBe(1);
        // The Hub was asked, and its answer is kept, with what to do added.
        expect(run.stderr).toContain(hub.url);
        expect(run.stderr).toContain('No folder no-such-folder exists here either.');
        expect(run.stderr).toContain(whatAHubIdLooksLike);
        const offline = await fillmask(['--offline', '-m', 'no-such-folder', 'a [MASK].'], { env, cwd: workDir });
        expect(offline.code).toBe(1);
        expect(offline.stderr).toContain('offline');
        expect(offline.stderr).toContain('No folder no-such-folder exists here either.');
        // An org/name id is a Hub id without doubt: its error stays the Hub's.
        const orgName = await fillmask(['-m', 'org/no-such-model', 'a [MASK].'], { env, cwd: workDir });
        expect(orgName.code).toBe(1);
        expect(orgName.stderr).not.toContain('exists here either');
      } finally {
        await hub.close();
      }
    });
  });

  it('a truncated or empty onnx/model.onnx: says so and names the file, not the decoder or onnxruntime', async () => {
    const model = join(workDir, 'broken-model');
    await cp(bert, model, { recursive: true });
    const graph = join(model, 'onnx', 'model.onnx');
    const whole = (await readFile(graph)).length;
    for (const size of [0, 100, 3000, whole - 1000]) {
      await truncate(graph, size);
      const run = await fillmask(['-m', model, 'a [MASK].']);
      expect(run.code, `${size} bytes`).toBe(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^fillmask: Model ${model} cannot be used for fill-mask: (fillmask|onnxruntime) could not load ${graph}: ` +
            'the file is truncated or not an ONNX model\\. Download or export it again\\.\\n$',
        ),
      );
    }
  });

  describe('-f', () => {
    it('a missing file, a folder, binary data or no input: one usage error naming the file', async () => {
      const folder = join(workDir, 'some-dir');
      await mkdir(folder, { recursive: true });
      const png = join(workDir, 'picture.png');
      await writeFile(png, Buffer.from('89504e470d0a1a0a0000000d49484452000000100000001008060000001ff3ff61', 'hex'));
      const notUtf8 = join(workDir, 'latin1.txt');
      await writeFile(notUtf8, Buffer.from('caf\xe9 [MASK]\n', 'latin1'));
      const blank = join(workDir, 'blank.txt');
      await writeFile(blank, '\n  \n');
      for (const [file, said] of [
        [join(workDir, 'missing.txt'), `--input-file: no such file: ${join(workDir, 'missing.txt')}`],
        [`${folder}/`, `--input-file: ${folder}/ is a folder; give a text file with one input per line (or - for standard input).`],
        [png, `--input-file: ${png} is not a text file (it holds binary data); give UTF-8 text, one input per line.`],
        [notUtf8, `--input-file: ${notUtf8} is not a text file`],
        [blank, `--input-file: ${blank} has no inputs (it is empty or holds only blank lines); give one input per line.`],
      ]) {
        for (const command of [[], ['score'], ['eval']]) {
          const run = await fillmask([...command, '-f', file]);
          expect(run.code, `${command} ${file}`).toBe(2);
          const lines = run.stderr.trimEnd().split('\n');
          expect(lines).toHaveLength(2);
          expect(lines[0]).toMatch(new RegExp(`^fillmask( score| eval)?: ${said.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
          expect(lines[1]).toMatch(/^Run fillmask( score| eval)? --help for usage\.$/);
        }
      }
    });

    it('draws a progress bar for fill on a terminal, erased while results are written; not with --quiet', async () => {
      const file = join(workDir, 'progress.txt');
      await writeFile(file, `${Array.from({ length: 40 }, (_, index) => `Line ${index} has a [MASK].`).join('\n')}\n`);
      let printed = '';
      const stdout = new PassThrough();
      stdout.on('data', (chunk) => (printed += chunk));
      const shown = terminalStderr();
      expect(await runCli(['-m', bert, '-k', '1', '-f', file], { stdin: new PassThrough(), stdout, stderr: shown.stream })).toBe(0);
      expect(shown.text()).toContain('\rfilling [');
      expect(shown.text()).toContain('32/40 80%');
      expect(shown.text()).toContain('40/40 100%');
      expect(shown.text()).toContain('\r\x1b[K');
      expect(shown.text().endsWith('\n')).toBe(true);
      expect(printed.match(/^> Line \d+ has a \[MASK\]\.$/gm)).toHaveLength(40);
      const quiet = terminalStderr();
      expect(await runCli(['-m', bert, '-q', '-f', file], { stdin: new PassThrough(), stdout, stderr: quiet.stream })).toBe(0);
      expect(quiet.text()).toBe('');
    });
  });

  it('a too-long input: the hint names --truncation and the line; with it, the table abbreviates the input', async () => {
    const file = join(workDir, 'long.txt');
    // About 26 KB on one line, the mask in its middle.
    const long = `The ${'word '.repeat(2600)}[MASK] ${'thing '.repeat(2200)}end.`;
    await writeFile(file, `Short [MASK] line.\n\n${long}\n`);
    const refused = await fillmask(['-m', bert, '-f', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^fillmask: Line 3 is \d+ tokens long \(special tokens included\) but the model accepts at most 512\. Shorten it, or pass --truncation to keep a window of 512 tokens around the masks\.\n$/,
    );
    const truncated = await fillmask(['-m', bert, '--truncation', '-k', '3', '-f', file]);
    expect(truncated.code, truncated.stderr).toBe(0);
    const block = truncated.stdout.split('\n> ')[1];
    expect(block.length).toBeLessThan(1500);
    expect(block).toMatch(new RegExp(`^The word word .*….* thing end\\. \\(${long.length} characters\\)\\n`));
    // Each sequence shows where its token went: the words on both sides of the mask.
    const rows = block.split('\n').filter((line) => /^\s+\d+\s+"/.test(line));
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      const sequence = /%\s+(….*…)$/.exec(row)![1];
      expect(sequence.length).toBeLessThanOrEqual(162);
      expect(sequence).toMatch(/^… ?(word ?)+\S* (thing )+\S*…$/);
    }
  });

  it('--json with a bad input prints the others and the error in its place, and exits 1', async () => {
    const run = await fillmask(['-m', bert, '--json', '-k', '1', 'One [MASK].', 'No mask here.', 'Three <mask>.']);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('');
    const [first, second, third] = JSON.parse(run.stdout);
    expect(first).toEqual([expect.objectContaining({ token_str: expect.any(String) })]);
    expect(second).toEqual({ error: 'No mask token found in input 2: write [MASK] or <mask> where the model should fill in a word.' });
    expect(third).toEqual([expect.objectContaining({ sequence: expect.stringMatching(/^three \S+\.$/) })]);
    const single = await fillmask(['-m', bert, '--json', 'No mask here.']);
    expect([single.code, JSON.parse(single.stdout)]).toEqual([1, { error: expect.stringContaining('No mask token found in the input') }]);
    // --jsonl says it the same way, one line per input.
    const lines = await fillmask(['-m', bert, '--jsonl', '-k', '1', 'One [MASK].', 'No mask here.']);
    expect(JSON.parse(lines.stdout.split('\n')[1])).toEqual(second);
  });

  it('-b remote without --endpoint-url names the flag, never the library option endpointUrl', async () => {
    const run = await fillmask(['-b', 'remote', 'a [MASK].']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--endpoint-url');
    expect(run.stderr).not.toContain('endpointUrl');
  });

  it('warnings of the library come as the CLI says them, not with the library default prefix', async () => {
    const run = await fillmask(['-m', bert, '-k', '1', '-t', 'Paris', 'The capital of France is [MASK].']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe(
      'fillmask: warning: Target "Paris" is not in the model\'s vocabulary; it is replaced by its first sub-token "paris".\n',
    );
  });
});
