import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const published = ['core', 'backend-onnx', 'cli', 'server', 'backend-remote', 'model-mini-en'];

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
    expect(await readdir(join(project, 'node_modules/@fillmask/cli/models/tiny-roberta/onnx'))).toEqual([
      'model.onnx',
      'model_quantized.onnx',
    ]);
  });

  it('fills a mask through the library API', async () => {
    const script = `
      import { createFillMask } from '@fillmask/core';
      const model = new URL('./node_modules/@fillmask/cli/models/tiny-roberta', import.meta.url).pathname;
      const fillMask = await createFillMask({ model });
      const [predictions] = await fillMask.fill('Paris is the <mask> of France.', { topK: 2 });
      console.log(JSON.stringify(predictions));
      await fillMask.dispose();
    `;
    await writeFile(join(project, 'use-library.mjs'), script);
    const { stdout } = await run(process.execPath, ['use-library.mjs'], { cwd: project });
    const predictions = JSON.parse(stdout);
    expect(predictions).toHaveLength(2);
    expect(predictions[0].sequence).toMatch(/^Paris is the .+ of France\.$/);
  });

  it('fills a mask with the installed fillmask command', async () => {
    const { stdout } = await run(join(project, 'node_modules/.bin/fillmask'), ['--json', '-k', '3', 'Paris is the <mask> of France.'], {
      cwd: project,
    });
    expect(JSON.parse(stdout)).toHaveLength(3);
  });

  it('serves a model with the installed fillmask serve, and fills through the installed remote backend', async () => {
    const script = `
      import { spawn } from 'node:child_process';
      import { createFillMask } from '@fillmask/core';
      import { createRemoteBackend } from '@fillmask/backend-remote';
      const server = spawn('node_modules/.bin/fillmask', ['serve', '-m', 'node_modules/@fillmask/cli/models/tiny-roberta', '--port', '0', '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      const url = await new Promise((resolve, reject) => {
        server.stderr.on('data', (chunk) => {
          stderr += chunk;
          const match = /serving .* on (http:[^ \\n]+)/.exec(stderr);
          if (match) resolve(match[1]);
        });
        server.on('exit', (code) => reject(new Error('fillmask serve exited ' + code + ': ' + stderr)));
      });
      const fillMask = await createFillMask({ model: 'tiny-roberta', backend: createRemoteBackend({ endpointUrl: url }) });
      const [predictions] = await fillMask.fill('Paris is the <mask> of France.', { topK: 2 });
      console.log(JSON.stringify(predictions));
      server.kill('SIGTERM');
    `;
    await writeFile(join(project, 'use-remote.mjs'), script);
    const { stdout } = await run(process.execPath, ['use-remote.mjs'], { cwd: project, timeout: 60_000 });
    const predictions = JSON.parse(stdout);
    expect(predictions).toHaveLength(2);
    expect(predictions[0].sequence).toMatch(/^Paris is the .+ of France\.$/);
  });
});
