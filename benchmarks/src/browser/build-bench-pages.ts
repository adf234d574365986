import { existsSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'vite';

/**
 * Builds the two benchmark pages (`fillmask.html`, `transformers.html`, from
 * benchmarks/src/browser/page) with Vite into a new temporary folder, as an app would be built: the
 * fillmask packages from their published `dist` (built by `npm run build`), transformers.js left to
 * its own bundle, which the transformers page imports at run time. Returns the folder.
 */
export async function buildBenchPages(repositoryRoot: string): Promise<string> {
  for (const name of ['core', 'backend-web']) {
    if (!existsSync(path.join(repositoryRoot, 'packages', name, 'dist', 'index.js')))
      throw new Error(`packages/${name}/dist is missing: run "npm run build" first (npm run bench:browser does).`);
  }
  const pages = path.join(repositoryRoot, 'benchmarks', 'src', 'browser', 'page');
  const output = await mkdtemp(path.join(tmpdir(), 'fillmask-bench-pages-'));
  await build({
    root: pages,
    configFile: false,
    logLevel: 'warn',
    build: {
      outDir: output,
      emptyOutDir: true,
      rollupOptions: { input: { fillmask: path.join(pages, 'fillmask.html'), transformers: path.join(pages, 'transformers.html') } },
    },
  });
  return output;
}
