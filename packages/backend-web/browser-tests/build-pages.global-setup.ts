import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The production build of examples/browser. */
    exampleDist: string;
    /** The production build of the test harness page. */
    harnessDist: string;
  }
}

const root = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Builds the example app and the harness page once for all browser tests, with Vite, as an app
 * would be built: the packages resolve to their published `dist` (run `npx turbo run build` first;
 * `npm test` and `npm run test:browser` do).
 */
export default async function buildPages(project: TestProject): Promise<() => Promise<void>> {
  for (const name of ['core', 'backend-web']) {
    if (!existsSync(path.join(root, 'packages', name, 'dist', 'index.js'))) {
      throw new Error(`packages/${name}/dist is missing: run "npx turbo run build" before the browser tests.`);
    }
  }
  const output = await mkdtemp(path.join(tmpdir(), 'fillmask-pages-'));
  const exampleDist = path.join(output, 'example');
  const harnessDist = path.join(output, 'harness');
  await build({ root: path.join(root, 'examples/browser'), logLevel: 'warn', build: { outDir: exampleDist, emptyOutDir: true } });
  await build({
    root: path.join(root, 'packages/backend-web/browser-tests/harness'),
    configFile: false,
    logLevel: 'warn',
    worker: { format: 'es' },
    build: { outDir: harnessDist, emptyOutDir: true },
  });
  project.provide('exampleDist', exampleDist);
  project.provide('harnessDist', harnessDist);
  return () => rm(output, { recursive: true, force: true });
}
