import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, toPipelineOutput } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath } from '@fillmask/fixtures';
import { startHubServer } from '@fillmask/test-hub-server';
import { bundledModelPath } from './bundled-model.js';
import { bin, fillmask } from './cli.test-helper.js';

describe('fillmask CLI', () => {
  let workDir: string;

  beforeAll(async () => {
    if (!existsSync(new URL('../dist/bin.js', import.meta.url)))
      throw new Error('packages/cli/dist is missing: run npm run build first (npm test does).');
    workDir = await mkdtemp(join(tmpdir(), 'fillmask-cli-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('documents every option in --help', async () => {
    const run = await fillmask(['--help']);
    expect(run.code).toBe(0);
    for (const flag of [
      '--model',
      '--backend',
      '--dtype',
      '--top-k',
      '--targets',
      '--input-file',
      '--json',
      '--jsonl',
      '--truncation',
      '--offline',
      '--endpoint-url',
    ]) {
      expect(run.stdout).toContain(flag);
    }
  });

  it('lists its commands in --help, each with its own --help', async () => {
    const run = await fillmask(['--help']);
    expect(run.stdout).toMatch(/^Usage: fillmask \[fill\] \[options\] \[TEXT \.\.\.\]\n {7}fillmask <command> \[options\]/);
    expect(run.stdout).toMatch(
      /^Commands:\n {2}fill {3}rank the words that fit each mask of TEXT \(the default command\)\n {2}serve {2}serve a model over HTTP/m,
    );
    const fillHelp = await fillmask(['fill', '--help']);
    expect([fillHelp.code, fillHelp.stdout]).toEqual([
      0,
      expect.stringMatching(/^Usage: fillmask \[fill\] \[options\] \[TEXT \.\.\.\]\n\nRanks/),
    ]);
    const serveHelp = await fillmask(['serve', '--help']);
    expect(serveHelp.code).toBe(0);
    for (const flag of [
      '--model',
      '--dtype',
      '--port',
      '--host',
      '--model-id',
      '--batch-size',
      '--batch-tokens',
      '--batch-window-ms',
      '--max-queue',
      '--max-body-bytes',
      '--timeout-ms',
      '--auth-token-file',
      '--endpoint-url',
    ]) {
      expect(serveHelp.stdout).toContain(flag);
    }
  });

  it('runs fill when named, as when not', async () => {
    const named = await fillmask(['fill', '--json', '-k', '2', 'Paris is the <mask> of France.']);
    const implicit = await fillmask(['--json', '-k', '2', 'Paris is the <mask> of France.']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toBe(implicit.stdout);
  });

  it('writes DEBUG=fillmask lines to stderr, so --json output stays JSON', async () => {
    const run = await fillmask(['--json', '-k', '2', 'She opened the [MASK] and walked in.'], { env: { DEBUG: 'fillmask' } });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(2);
    expect(run.stderr).toMatch(/^fillmask: onnx\/model\.onnx rewritten/m);
  });

  it('ends quietly, exit 0, when the reader of its output goes away (| head -n 1)', async () => {
    const lines = Array.from({ length: 400 }, (_, index) => `Line ${index} has a [MASK] in it.`).join('\n');
    const file = join(workDir, 'many-lines.txt');
    await writeFile(file, lines);
    const { execFile } = await import('node:child_process');
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile('sh', ['-c', `"${process.execPath}" "${bin}" -f "${file}" --jsonl | head -n 1`], (error, stdout, stderr) =>
        resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      );
      child.stdin?.end();
    });
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/EPIPE|Unhandled 'error' event/);
    expect(result.code).toBe(0);
  });

  it('prints its version', async () => {
    const run = await fillmask(['--version']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('fills a mask with the bundled model and prints a table', async () => {
    const run = await fillmask(['Paris is the <mask> of France.']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('> Paris is the <mask> of France.');
    expect(run.stdout.split('\n').filter((line) => /^\s+\d+\s+"/.test(line))).toHaveLength(5);
  });

  it('prints exactly what the library returns, in the Python pipeline shape, with --json', async () => {
    const run = await fillmask(['--json', '-k', '3', 'Paris is the <mask> of France.']);
    expect(run.code, run.stderr).toBe(0);
    const fillMask = await createFillMask({ model: bundledModelPath, backend: createOnnxBackend() });
    // The CLI turns <mask> into the model's own mask token before filling.
    const expected = toPipelineOutput(await fillMask.fill(`Paris is the ${fillMask.maskToken} of France.`, { topK: 3 }));
    await fillMask.dispose();
    expect(JSON.parse(run.stdout)).toEqual(JSON.parse(JSON.stringify(expected)));
    expect(Object.keys(JSON.parse(run.stdout)[0]).sort()).toEqual(['score', 'sequence', 'token', 'token_str']);
  });

  it('gives a list per mask for several masks and an array per input for several inputs', async () => {
    const run = await fillmask(['--json', '-k', '2', 'A <mask> and a <mask>.', 'One <mask>.']);
    expect(run.code, run.stderr).toBe(0);
    const [first, second] = JSON.parse(run.stdout);
    expect(first).toHaveLength(2);
    expect(first[0]).toHaveLength(2);
    expect(first[0][0]).toHaveProperty('token_str');
    expect(second).toHaveLength(2);
    expect(second[0]).toHaveProperty('token_str');
  });

  it('accepts [MASK] and <mask> whatever the model', async () => {
    for (const [model, text] of [
      [bundledModelPath, 'Paris is the [MASK] of France.'],
      [fixtureModelPath('tiny-bert-uncased'), 'Paris is the <mask> of France.'],
    ]) {
      const run = await fillmask(['--json', '-m', model, text]);
      expect(run.code, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toHaveLength(5);
    }
  });

  it('ranks only the targets given with --targets', async () => {
    const run = await fillmask(['--json', '-m', fixtureModelPath('tiny-bert-uncased'), '-t', 'cat,dog,house', 'I love my [MASK].']);
    expect(run.code, run.stderr).toBe(0);
    expect(
      JSON.parse(run.stdout)
        .map((prediction: { token_str: string }) => prediction.token_str)
        .sort(),
    ).toEqual(['cat', 'dog', 'house']);
  });

  it('streams --jsonl in input order, with an error line for a bad input and exit status 1', async () => {
    const file = join(workDir, 'inputs.txt');
    await writeFile(file, 'First <mask> line.\n\nno mask here\nThird [MASK] line.\n');
    const run = await fillmask(['--jsonl', '-k', '1', '-f', file]);
    expect(run.code).toBe(1);
    const lines = run.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines).toHaveLength(3);
    // The bundled model is uncased: its sequences come back lower-cased.
    expect(lines[0][0].sequence).toMatch(/^first/i);
    expect(lines[1].error).toMatch(/No mask token/);
    expect(lines[2][0].sequence).toMatch(/^third/i);
  });

  it('reads inputs from standard input with -f -', async () => {
    const run = await fillmask(['--json', '-k', '1', '-f', '-'], { stdin: 'One <mask>.\nTwo <mask>.\n' });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(2);
  });

  it('runs the quantized model with --dtype q8', async () => {
    const run = await fillmask(['--json', '--dtype', 'q8', 'Paris is the <mask> of France.']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(5);
  });

  it.each([
    [['--dtype', 'fp8', 'a <mask>'], /--dtype must be/],
    [['-k', '0', 'a <mask>'], /--top-k must be/],
    [
      ['--no-such-flag', 'a <mask>'],
      /Unknown option --no-such-flag\. A TEXT that starts with '-' goes after '--', as in: fillmask -- "--no-such-flag"\n/,
    ],
    [['-k', '-1', 'a <mask>'], /--top-k must be a whole number of at least 1, not "-1"/],
    [
      ['--top-k', '-x', 'a <mask>'],
      /--top-k needs a value, and what follows it starts with '-'. If that is the value, write --top-k=<value>\./,
    ],
    [['--endpoint-url', 'http://127.0.0.1:1', '-b', 'onnx', 'a <mask>'], /--endpoint-url is for the remote backend/],
    [['-b', 'nosuch', 'a <mask>'], /-b must be onnx, web, remote, not "nosuch"\./],
    [[], /No input/],
    [['--json', '--jsonl', 'a <mask>'], /cannot be used together/],
  ])('exits 2 on the usage error %j', async (args, message) => {
    const run = await fillmask(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('--help');
  });

  it('exits 1 with the message on stderr for an input without a mask', async () => {
    const run = await fillmask(['There is no mask here.']);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/No mask token found/);
  });

  it('exits 1 naming the folder when the model folder does not exist', async () => {
    const run = await fillmask(['-m', './no/such/model', 'a <mask>']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/-m \.\/no\/such\/model: no such folder/);
  });

  it('exits 1 for a too-long input unless --truncation is given', async () => {
    const long = `<mask> ${'word '.repeat(600)}`;
    expect((await fillmask([long])).code).toBe(1);
    const run = await fillmask(['--json', '--truncation', '-k', '1', long]);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(1);
  });

  it('downloads a Hub model once into HF_HOME, then runs from the cache with --offline', async () => {
    const hub = await startHubServer({ repos: { 'fillmask-test/tiny-bert': { folder: fixtureModelPath('tiny-bert-uncased') } } });
    try {
      const env = { HF_ENDPOINT: hub.url, HF_HOME: join(workDir, 'hf-home') };
      const online = await fillmask(['--json', '-k', '2', '-m', 'fillmask-test/tiny-bert', 'Paris is the [MASK] of France.'], { env });
      expect(online.code, online.stderr).toBe(0);
      expect(existsSync(join(workDir, 'hf-home/hub/models--fillmask-test--tiny-bert/refs/main'))).toBe(true);
      const requestsBefore = hub.requests.length;
      const offline = await fillmask(
        ['--json', '-k', '2', '--offline', '-m', 'fillmask-test/tiny-bert', 'Paris is the [MASK] of France.'],
        { env },
      );
      expect(offline.code, offline.stderr).toBe(0);
      expect(offline.stdout).toBe(online.stdout);
      expect(hub.requests.length).toBe(requestsBefore);
      const missing = await fillmask(['--offline', '-m', 'fillmask-test/not-cached', 'a [MASK]'], { env });
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/offline/i);
    } finally {
      await hub.close();
    }
  });
});
