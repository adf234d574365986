import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFillMask } from '@fillmask/core';
import { createFillMaskServer } from '@fillmask/server';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples run as written', () => {
  it('examples/node/fill.mjs prints three ranked tokens', async () => {
    const { stdout } = await run(process.execPath, ['examples/node/fill.mjs'], { cwd: root });
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^0\.\d{4} ".+"$/);
  });

  it('examples/remote/remote.mjs fills through the remote backend, with its own server or a given one', async () => {
    const own = await run(process.execPath, ['examples/remote/remote.mjs'], { cwd: root });
    const lines = own.stdout.trim().split('\n');
    expect(lines).toHaveLength(3);
    for (const line of lines) expect(line).toMatch(/^0\.\d{4} ".+"$/);

    const fillMask = await createFillMask({ model: join(root, 'packages/cli/models/tiny-roberta') });
    const server = createFillMaskServer({ fillMask, authTokens: 'example-token' });
    try {
      const url = await server.listen({ port: 0 });
      const given = await run(process.execPath, ['examples/remote/remote.mjs'], {
        cwd: root,
        env: { ...process.env, FILLMASK_ENDPOINT_URL: url, FILLMASK_TOKEN: 'example-token' },
      });
      expect(given.stdout).toBe(own.stdout);
      expect(server.stats.responses).toEqual({ 200: 2 });
    } finally {
      await server.close();
      await fillMask.dispose();
    }
  });
});
