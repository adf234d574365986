import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../..', import.meta.url));
const packagesDir = join(root, 'packages');
const published = readdirSync(packagesDir).filter(
  (name) => !JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')).private,
);

/**
 * `npm run check:packages` without its build step: @arethetypeswrong/cli on every published tarball,
 * packed locally (offline), as TypeScript resolves it under node10, node16 (CJS and ESM) and bundler.
 * ESM only is by design, so only `cjs-resolves-to-esm` is ignored. Checks the current builds.
 */
describe('the types of the published packages', () => {
  it('resolve under every module resolution, with no problems', async () => {
    const { stdout } = await run(process.execPath, [join(root, 'tests/release/check-packages.mjs')], {
      cwd: root,
      env: { ...process.env, npm_config_offline: 'true' },
      timeout: 300_000,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      throw new Error(`attw found problems:\n${error.stdout ?? ''}${error.stderr ?? error.message}`);
    });
    const reports = new Map(stdout.split(/^(?=packages\/[\w-]+:$)/m).map((report) => [report.slice(0, report.indexOf(':')), report]));
    for (const name of published) expect(reports.get(`packages/${name}`), name).toContain('No problems found');
    expect(stdout).toContain(`attw: no problems in ${published.length} packages`);
  }, 360_000);
});
