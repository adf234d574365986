import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const published = ['core', 'onnx', 'backend-onnx', 'cli', 'server', 'backend-remote', 'model-mini-en'];

/**
 * A user's shell: without the npm_* variables of the npm running these tests (`npx vitest` passes the
 * repository's `.npmrc`, `onnxruntime-node-install=skip` included, down as npm_config_*) and without
 * onnxruntime-node's install flags. Offline for onnxruntime-node's CUDA download whatever the
 * network: its install script loads global-agent, which sends the request to a closed port; npm's
 * own registry requests are not affected.
 */
const userEnv = {
  ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|ONNXRUNTIME_NODE_INSTALL)/i.test(name))),
  GLOBAL_AGENT_HTTPS_PROXY: 'http://127.0.0.1:9',
};

/** Packs the published packages into `destination`, returning the tarballs' paths. */
async function pack(names: string[], destination: string): Promise<string[]> {
  const tarballs: string[] = [];
  for (const name of names) {
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], { cwd: join(root, 'packages', name) });
    tarballs.push(join(destination, JSON.parse(stdout)[0].filename));
  }
  return tarballs;
}

/**
 * The path a user takes from npm: the packed tarballs installed into a fresh project outside the
 * workspace, then the library and the command used from there.
 */
describe('published packages, installed from their tarballs', () => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'fillmask-install-'));
    const tarballs = await pack(published, project);
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'fillmask-user', private: true, type: 'module' }));
    await writeFile(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
    await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: project, env: userEnv, timeout: 300_000 });
  }, 360_000);

  afterAll(() => rm(project, { recursive: true, force: true }));

  it('ships dist, types and the bundled model, and no tests', async () => {
    const core = join(project, 'node_modules/@fillmask/core');
    expect(await readdir(join(core, 'dist'))).toContain('index.d.ts');
    expect((await readdir(join(core, 'dist'), { recursive: true })).some((file) => file.endsWith('.test.js'))).toBe(false);
    expect(
      (await readdir(join(project, 'node_modules/@fillmask/onnx/src'), { recursive: true })).some((file) => file.includes('__fixtures__')),
    ).toBe(false);
    expect(await readdir(join(project, 'node_modules/@fillmask/model-mini-en/onnx'))).toEqual(['model.onnx', 'model_quantized.onnx']);
    expect(await readdir(join(project, 'node_modules/@fillmask/cli'))).not.toContain('models');
  });

  it('fills a mask through the library API', async () => {
    const script = `
      import { createFillMask } from '@fillmask/core';
      import { modelPath } from '@fillmask/model-mini-en';
      const fillMask = await createFillMask({ model: modelPath });
      const [predictions] = await fillMask.fill('She opened the [MASK] and walked in.', { topK: 2 });
      console.log(JSON.stringify(predictions));
      await fillMask.dispose();
    `;
    await writeFile(join(project, 'use-library.mjs'), script);
    const { stdout } = await run(process.execPath, ['use-library.mjs'], { cwd: project });
    const predictions = JSON.parse(stdout);
    expect(predictions).toHaveLength(2);
    expect(predictions[0].token_str).toBe('door');
    expect(predictions[0].sequence).toBe('she opened the door and walked in.');
  });

  it('fills a mask with the installed fillmask command', async () => {
    const { stdout } = await run(
      join(project, 'node_modules/.bin/fillmask'),
      ['--json', '-k', '3', 'She opened the <mask> and walked in.'],
      {
        cwd: project,
      },
    );
    const predictions = JSON.parse(stdout);
    expect(predictions).toHaveLength(3);
    expect(predictions[0].token_str).toBe('door');
  });

  it('serves a model with the installed fillmask serve, and fills through the installed remote backend', async () => {
    const script = `
      import { spawn } from 'node:child_process';
      import { createFillMask } from '@fillmask/core';
      import { createRemoteBackend } from '@fillmask/backend-remote';
      const server = spawn('node_modules/.bin/fillmask', ['serve', '--port', '0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const url = await new Promise((resolve, reject) => {
        server.stderr.on('data', (chunk) => {
          stderr += chunk;
          const match = /serving .* on (http:[^ \\n]+)/.exec(stderr);
          if (match) resolve(match[1]);
        });
        server.on('exit', (code) => reject(new Error('fillmask serve exited ' + code + ': ' + stderr)));
      });
      const fillMask = await createFillMask({ model: 'model-mini-en', backend: createRemoteBackend({ endpointUrl: url }) });
      const [predictions] = await fillMask.fill('She opened the [MASK] and walked in.', { topK: 2 });
      // The installed command with the remote backend, which @fillmask/cli brings along.
      const cli = await new Promise((resolve) => {
        const child = spawn('node_modules/.bin/fillmask', ['-b', 'remote', '--endpoint-url', url, '--json', '-k', '2', 'She opened the <mask> and walked in.']);
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('exit', (code) => resolve({ code, out }));
      });
      console.log(JSON.stringify({ predictions, cli }));
      server.kill('SIGTERM');
    `;
    await writeFile(join(project, 'use-remote.mjs'), script);
    const { stdout } = await run(process.execPath, ['use-remote.mjs'], { cwd: project, timeout: 60_000 });
    const { predictions, cli } = JSON.parse(stdout);
    expect(predictions).toHaveLength(2);
    expect(predictions[0].token_str).toBe('door');
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out)).toEqual(predictions);
  });
});

/**
 * onnxruntime-node's postinstall downloads CUDA files from NuGet on Linux x64 (on other platforms it
 * downloads nothing). npm runs it, npm 11 included (11.19 warns afterwards that it was not reviewed),
 * so offline the download, and with it the whole `npm install`, fails. What the READMEs tell users
 * to do, each in a fresh project: any one of the three skips it.
 */
describe.runIf(process.platform === 'linux' && process.arch === 'x64')("onnxruntime-node's install script, offline", () => {
  let tarballDir: string;
  let tarballs: string[];
  const projects: string[] = [];

  beforeAll(async () => {
    tarballDir = await mkdtemp(join(tmpdir(), 'fillmask-tarballs-'));
    tarballs = await pack(['core', 'onnx', 'backend-onnx'], tarballDir);
  }, 120_000);

  afterAll(() => Promise.all([tarballDir, ...projects].map((dir) => rm(dir, { recursive: true, force: true }))));

  async function install(options: { manifest?: object; npmrc?: string; env?: Record<string, string> }) {
    const project = await mkdtemp(join(tmpdir(), 'fillmask-install-script-'));
    projects.push(project);
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'fillmask-user', private: true, type: 'module', ...options.manifest }),
    );
    if (options.npmrc) await writeFile(join(project, '.npmrc'), options.npmrc);
    const installed = await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], {
      cwd: project,
      env: { ...userEnv, ...options.env },
      timeout: 300_000,
    }).then(
      ({ stdout, stderr }) => ({ ok: true, output: stdout + stderr }),
      (error: { stdout?: string; stderr?: string; message: string }) => ({
        ok: false,
        output: `${error.stdout}${error.stderr ?? error.message}`,
      }),
    );
    return { project, ...installed };
  }

  it('fails the whole install when nothing skips it, leaving nothing installed', async () => {
    const { ok, output, project } = await install({});
    expect(ok).toBe(false);
    expect(output).toMatch(/npm error path .*node_modules\/onnxruntime-node/);
    expect(output).toContain('npm error command sh -c node ./script/install');
    expect(existsSync(join(project, 'node_modules/@fillmask/core'))).toBe(false);
  }, 300_000);

  it.each([
    ['"allowScripts": { "onnxruntime-node": false } in package.json', { manifest: { allowScripts: { 'onnxruntime-node': false } } }],
    ['onnxruntime-node-install=skip in .npmrc', { npmrc: 'onnxruntime-node-install=skip\n' }],
    ['ONNXRUNTIME_NODE_INSTALL=skip in the environment', { env: { ONNXRUNTIME_NODE_INSTALL: 'skip' } }],
  ])(
    'is skipped with %s, and onnxruntime-node runs on the CPU without the CUDA files',
    async (_, options) => {
      const { ok, output, project } = await install(options);
      expect(ok, output).toBe(true);
      const binaries = await readdir(join(project, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64'));
      expect(binaries).toContain('onnxruntime_binding.node');
      expect(binaries.filter((file) => file.includes('cuda'))).toEqual([]);
      const script = "const ort = await import('onnxruntime-node'); console.log(ort.listSupportedBackends().map((b) => b.name).join());";
      const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: project });
      expect(stdout).toContain('cpu');
    },
    300_000,
  );
});
