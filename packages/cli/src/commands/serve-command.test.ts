import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, toPipelineOutput } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { PassThrough } from 'node:stream';
import { fixtureModelPath } from '@fillmask/fixtures';
import { bundledModelPath } from '../bundled-model.js';
import { runCli } from '../run-cli.js';
import { bin, fillmask } from '../cli.test-helper.js';

// `fillmask serve` as a user runs it: its own process, real HTTP on 127.0.0.1, signals to stop it.
// It serves the tiny-roberta fixture (a RoBERTa tokenizer, `<mask>`), given with --model.
const servedModel = fixtureModelPath('tiny-roberta');

interface Served {
  url: string;
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  exit: Promise<number | null>;
}

/** `fillmask serve` on a free port, serving `model` (null: no --model, the default, bundled model). */
function serve(args: string[], env: Record<string, string> = {}, model: string | null = servedModel): Promise<Served> {
  const modelArgs = model === null ? [] : ['-m', model];
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...modelArgs, ...args], {
    env: { ...process.env, ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      const url = /serving .* on (http:\/\/[^\s,]+)/.exec(stderr)?.[1];
      if (url) resolve({ url, child, stdout: () => stdout, stderr: () => stderr, exit });
    });
    void exit.then((code) => reject(new Error(`exited ${code}: ${stderr}`)));
  });
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\d+)$`, 'm').exec(text)?.[1]);
}

describe('fillmask serve', () => {
  let workDir: string;

  beforeAll(async () => {
    if (!existsSync(new URL('../../dist/bin.js', import.meta.url)))
      throw new Error('packages/cli/dist is missing: run npm run build first (npm test does).');
    workDir = await mkdtemp(join(tmpdir(), 'fillmask-serve-'));
  });
  afterAll(() => rm(workDir, { recursive: true, force: true }));

  it('serves a model with the Inference API protocol, logs JSON lines, and stops on SIGTERM', async () => {
    const served = await serve([]);
    const health = await fetch(`${served.url}/health`);
    expect([health.status, await health.json()]).toEqual([200, { status: 'ok' }]);
    expect(await (await fetch(`${served.url}/info`)).json()).toEqual({
      model: 'tiny-roberta',
      maskToken: '<mask>',
      maxLength: 512,
      backend: 'onnx',
    });

    const text = 'Paris is the <mask> of France.';
    const response = await fetch(`${served.url}/models/tiny-roberta`, {
      method: 'POST',
      body: JSON.stringify({ inputs: text, parameters: { top_k: 3 } }),
    });
    const library = await createFillMask({ model: servedModel, backend: createOnnxBackend() });
    const expected = JSON.parse(JSON.stringify(toPipelineOutput(await library.fill(text, { topK: 3 }))));
    await library.dispose();
    expect(await response.json()).toEqual(expected);

    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    expect(served.stderr()).toMatch(/fillmask serve: loading tiny-roberta on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(served.stderr()).toMatch(/fillmask serve: stopped\n$/);
    const log = served
      .stdout()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(log.map((entry) => [entry.method, entry.path, entry.status])).toEqual([
      ['GET', '/health', 200],
      ['GET', '/info', 200],
      ['POST', '/models/tiny-roberta', 200],
    ]);
    expect(served.stdout()).not.toContain('Paris');
  });

  it.each([
    ['tiny-bert-uncased', '[MASK]'],
    ['tiny-roberta', '<mask>'],
  ] as const)('answers [MASK] and <mask> alike for %s, as its own %s', async (fixture, ownToken) => {
    const model = fixtureModelPath(fixture);
    const library = await createFillMask({ model, backend: createOnnxBackend() });
    const expected = JSON.parse(JSON.stringify(toPipelineOutput(await library.fill(`Paris is the ${ownToken} of France.`, { topK: 2 }))));
    await library.dispose();
    const served = await serve(['-q'], {}, model);
    try {
      for (const spelling of ['[MASK]', '<mask>']) {
        const response = await fetch(served.url, {
          method: 'POST',
          body: JSON.stringify({ inputs: `Paris is the ${spelling} of France.`, parameters: { top_k: 2 } }),
        });
        expect([response.status, await response.json()]).toEqual([200, expected]);
      }
    } finally {
      served.child.kill('SIGTERM');
      await served.exit;
    }
  });

  it("answers the README's curl example with the default model, a BERT, which writes [MASK]", async () => {
    const served = await serve(['-q'], {}, null);
    try {
      // The README's body, byte for byte.
      const response = await fetch(served.url, {
        method: 'POST',
        body: '{"inputs": "Paris is the <mask> of France.", "parameters": {"top_k": 2}}',
      });
      expect(response.status).toBe(200);
      const library = await createFillMask({ model: bundledModelPath, backend: createOnnxBackend() });
      expect(library.maskToken).toBe('[MASK]');
      const expected = toPipelineOutput(await library.fill('Paris is the [MASK] of France.', { topK: 2 }));
      await library.dispose();
      expect(await response.json()).toEqual(JSON.parse(JSON.stringify(expected)));
    } finally {
      served.child.kill('SIGTERM');
      await served.exit;
    }
  });

  it('is the service of fill --endpoint-url, which gives what fill gives locally', async () => {
    const served = await serve(['-q'], {}, null);
    try {
      const text = 'She opened the <mask> and walked in.';
      const remote = await fillmask(['--endpoint-url', served.url, '--json', '-k', '3', text]);
      expect(remote.code, remote.stderr).toBe(0);
      const local = await fillmask(['--json', '-k', '3', text]);
      expect(JSON.parse(remote.stdout)).toEqual(JSON.parse(local.stdout));
    } finally {
      served.child.kill('SIGTERM');
      await served.exit;
    }
  });

  it('finishes a request in flight before exiting on SIGTERM', async () => {
    // A request of many long inputs is still running when the signal arrives (the server reads
    // requests, /metrics included, between its forward passes).
    const served = await serve(['--quiet']);
    const inputs = Array.from({ length: 300 }, (_, index) => `${'The old house stood by the river. '.repeat(6)}It had a <mask> ${index}.`);
    const pending = fetch(served.url, { method: 'POST', body: JSON.stringify({ inputs }) });
    for (let tries = 0; (await metric(served.url, 'fillmask_queued_inputs')) !== 300; tries++) {
      if (tries > 200) throw new Error('the request never reached the queue');
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    served.child.kill('SIGTERM');
    const response = await pending;
    expect(response.status).toBe(200);
    expect(response.headers.get('connection')).toBe('close');
    expect(await response.json()).toHaveLength(300);
    expect(await served.exit).toBe(0);
    expect(served.stdout()).toBe('');
    expect(served.stderr()).toMatch(/shutting down after 1 request in flight\n/);
  });

  it('requires the bearer token from FILLMASK_AUTH_TOKEN or --auth-token-file', async () => {
    const tokenFile = join(workDir, 'token');
    await writeFile(tokenFile, 'file-token\n');
    for (const [args, env, token] of [
      [[], { FILLMASK_AUTH_TOKEN: 'env-token' }, 'env-token'],
      [['--auth-token-file', tokenFile], {}, 'file-token'],
    ] as const) {
      const served = await serve([...args, '-q'], env);
      expect(served.stderr()).toContain('with bearer-token auth');
      const body = JSON.stringify({ inputs: 'a <mask>' });
      expect((await fetch(served.url, { method: 'POST', body })).status).toBe(401);
      expect((await fetch(served.url, { method: 'POST', body, headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      served.child.kill('SIGINT');
      expect(await served.exit).toBe(0);
    }
  });

  it('exits 1 with a message when the port is taken or the model cannot load', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const taken = await fillmask(['serve', '--port', String(port)]);
      expect(taken.code).toBe(1);
      expect(taken.stderr).toContain(`fillmask serve: port ${port} on 127.0.0.1 is taken; choose another with --port.`);
    } finally {
      blocker.close();
    }
    const missing = await fillmask(['serve', '--port', '0', '-m', './no/such/model']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/fillmask serve: -m \.\/no\/such\/model: no such folder/);
  });

  it.each([
    [['--port', '70000'], /--port must be at most 65535/],
    [['--port', 'x'], /--port must be a whole number of at least 0/],
    [['--dtype', 'fp8'], /--dtype must be fp32 or q8/],
    [['--max-queue', '0'], /--max-queue must be a whole number of at least 1/],
    [['--nope'], /Unknown option --nope\.\n/],
    [['--port', '-1'], /--port must be a whole number of at least 0, not "-1"/],
    [['some text'], /Unexpected argument 'some text': fillmask serve takes no TEXT/],
    [['--endpoint-url', 'localhost:8080'], /--endpoint-url must be an http:\/\/ or https:\/\/ URL/],
    [['--auth-token-file', '/no/such/file'], /--auth-token-file: cannot read \/no\/such\/file \(ENOENT\)/],
  ])('exits 2 on the usage error %j', async (args, message) => {
    const run = await fillmask(['serve', ...args]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).toContain('Run fillmask serve --help for usage.');
  });

  it('runs in-process through runCli, stopped by the stop signal instead of a process signal', async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let errors = '';
    stderr.on('data', (chunk) => (errors += chunk));
    const stop = new AbortController();
    const exit = runCli(['serve', '--port', '0', '-q'], { stdin: new PassThrough(), stdout, stderr, stop: stop.signal });
    for (let tries = 0; !/serving/.test(errors); tries++) {
      if (tries > 500) throw new Error(`never served: ${errors}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const url = /on (http:\/\/\S+)/.exec(errors)![1];
    expect((await fetch(`${url}/health`)).status).toBe(200);
    stop.abort();
    expect(await exit).toBe(0);
    expect(errors).toMatch(/stopped\n$/);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });
});
