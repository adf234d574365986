import { execFile } from 'node:child_process';
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
 * The path a user takes from npm: the packed tarballs installed into a fresh project outside the
 * workspace, then the library and the command used from there.
 */
describe('published packages, installed from their tarballs', () => {
  let project: string;

  beforeAll(async () => {
    project = await mkdtemp(join(tmpdir(), 'fillmask-install-'));
    const tarballs: string[] = [];
    for (const name of published) {
      const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', project], { cwd: join(root, 'packages', name) });
      tarballs.push(join(project, JSON.parse(stdout)[0].filename));
    }
    await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'fillmask-user', private: true, type: 'module' }));
    await writeFile(join(project, '.npmrc'), 'onnxruntime-node-install=skip\n');
    await run('npm', ['install', '--no-audit', '--no-fund', ...tarballs], { cwd: project, timeout: 300_000 });
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
      console.log(JSON.stringify(predictions));
      server.kill('SIGTERM');
    `;
    await writeFile(join(project, 'use-remote.mjs'), script);
    const { stdout } = await run(process.execPath, ['use-remote.mjs'], { cwd: project, timeout: 60_000 });
    const predictions = JSON.parse(stdout);
    expect(predictions).toHaveLength(2);
    expect(predictions[0].token_str).toBe('door');
  });
});
