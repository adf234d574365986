import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packagesDir = fileURLToPath(new URL('../../packages', import.meta.url));
const publishable = readdirSync(packagesDir).filter(
  (name) => !JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8')).private,
);

/** What `npm publish` would upload, for every public package: checked without publishing. */
describe.each(publishable)('the npm tarball of packages/%s', (name) => {
  const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'));

  it('is an ESM package with an exports map, types, side-effect free, for Node 20+', () => {
    expect(manifest.name).toMatch(/^@fillmask\//);
    expect(manifest.type).toBe('module');
    expect(manifest.sideEffects).toBe(false);
    expect(manifest.engines?.node).toBe('>=20');
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.publishConfig?.access).toBe('public');
    if (manifest.exports?.['.']) {
      expect(manifest.exports['.']).toMatchObject({ types: './dist/index.d.ts', import: './dist/index.js' });
    }
  });

  it('contains its build, README and licence, and no tests', async () => {
    const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: join(packagesDir, name) });
    const files: string[] = JSON.parse(stdout)[0].files.map((file: { path: string }) => file.path);
    expect(files).toContain('README.md');
    expect(files).toContain('LICENSE');
    if (manifest.exports?.['.']) {
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.d.ts');
    }
    for (const target of Object.values<string>(manifest.bin ?? {})) expect(files).toContain(target.replace(/^\.\//, ''));
    expect(files.filter((file) => /\.test(-helper)?\.(ts|js)$/.test(file) || file.includes('__fixtures__'))).toEqual([]);
  });
});
