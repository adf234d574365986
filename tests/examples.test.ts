import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples run as written', () => {
  it('examples/node/fill.mjs prints three ranked tokens', async () => {
    const { stdout } = await run(process.execPath, ['examples/node/fill.mjs'], { cwd: root });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^0\.\d{4} ".+"$/);
  });
});
