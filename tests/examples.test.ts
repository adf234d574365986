import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createFillMask } from '@fillmask/core';
import { modelPath } from '@fillmask/model-mini-en';
import { createFillMaskServer } from '@fillmask/server';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));

describe('examples run as written', () => {
  it("examples/node/fill.mjs prints the trained model's three best tokens", async () => {
    const { stdout } = await run(process.execPath, ['examples/node/fill.mjs'], { cwd: root });
    expect(stdout).toBe('0.0783 "door"\n0.0174 "hand"\n0.0154 "head"\n');
  });

  it('examples/remote/remote.mjs fills through the remote backend, with its own server or a given one', async () => {
    const own = await run(process.execPath, ['examples/remote/remote.mjs'], { cwd: root });
    expect(own.stdout).toBe('0.0783 "door"\n0.0174 "hand"\n0.0154 "head"\n');

    const fillMask = await createFillMask({ model: modelPath });
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
