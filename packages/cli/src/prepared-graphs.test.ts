import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureModelPath } from '@fillmask/fixtures';
import { fillmask } from './cli.test-helper.js';

// The built CLI prepares a model file's graphs in a worker thread at its first load, keeps them in
// $FILLMASK_CACHE/prepared-graphs, and opens them from there at the next: the same answers each time.

let scratch: string;
let model: string;
let env: Record<string, string>;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'fillmask-cli-prepared-'));
  model = join(scratch, 'model');
  await cp(fixtureModelPath('tiny-roberta'), model, { recursive: true, dereference: true });
  env = { FILLMASK_CACHE: join(scratch, 'cache'), DEBUG: 'fillmask' };
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('the CLI keeps the graphs it prepares', () => {
  for (const dtype of ['fp32', 'q8'] as const) {
    it(`${dtype}: kept at the first load, read at the next, with the same answers`, async () => {
      const args = ['-m', model, '--dtype', dtype, '--jsonl', '-f', '-'];
      const stdin = 'The capital of France is <mask>.\nA <mask> sat on the mat.\n';
      const first = await fillmask(args, { env, stdin });
      const second = await fillmask(args, { env, stdin });
      expect([first.code, second.code]).toEqual([0, 0]);
      const said = (stderr: string) => stderr.split('\n').filter((line) => line.includes('prepared graph'));
      expect(said(first.stderr)).toEqual([
        expect.stringContaining(`the prepared graph is kept in ${join(scratch, 'cache', 'prepared-graphs')}`),
      ]);
      expect(said(second.stderr)).toEqual([expect.stringContaining('the prepared graph is read from')]);
      expect(second.stdout).toBe(first.stdout);
      const uncached = await fillmask(args, { env: { ...env, FILLMASK_CACHE: join(scratch, `fresh-${dtype}`) }, stdin });
      expect(uncached.stdout).toBe(first.stdout);
      // Nothing left half-written by the worker.
      expect((await readdir(join(scratch, 'cache', 'prepared-graphs'))).filter((name) => name.endsWith('.incomplete'))).toEqual([]);
    });
  }
});
