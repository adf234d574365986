// Are the types wrong? Runs @arethetypeswrong/cli on the tarball of every published package (attw --pack
// packs locally: no registry needed), on the current builds: `npm run check:packages` builds first.
// The packages are ESM only (Node >= 20), by design, so `require` resolving to ESM is not a problem here;
// every other rule is checked, node10 resolution included.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const packagesDir = join(root, 'packages');
const attwDir = join(root, 'node_modules/@arethetypeswrong/cli');
const attw = join(attwDir, JSON.parse(readFileSync(join(attwDir, 'package.json'), 'utf8')).bin.attw);

const published = readdirSync(packagesDir).filter((name) => {
  const manifest = JSON.parse(readFileSync(join(packagesDir, name, 'package.json'), 'utf8'));
  return !manifest.private;
});

const failed = [];
for (const name of published) {
  const result = spawnSync(
    process.execPath,
    [attw, '--pack', join(packagesDir, name), '--ignore-rules', 'cjs-resolves-to-esm', '--format', 'ascii', '--no-color'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  process.stdout.write(`packages/${name}:${result.stdout}${result.stderr}\n`);
  if (result.status !== 0) failed.push(name);
}

if (failed.length > 0) {
  console.error(`attw found problems in ${failed.map((name) => `packages/${name}`).join(', ')}`);
  process.exit(1);
}
console.log(`attw: no problems in ${published.length} packages (${published.join(', ')})`);
