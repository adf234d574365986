import { cpSync, mkdtempSync, readdirSync, rmSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFillMask } from '@fillmask/core';
import { fixtureModelPath } from '@fillmask/fixtures';
import { createOnnxBackend } from './create-onnx-backend.js';
import type { OnnxBackendOptions } from './onnx-backend-options.js';

const inputs = ['The capital of France is [MASK].', 'A [MASK] sat on the [MASK] near the door.', 'Hello [MASK]!'];

describe('the prepared-graph cache', () => {
  let scratch: string;
  let model: string;
  let cache: string;
  beforeEach(() => {
    scratch = mkdtempSync(join(tmpdir(), 'fillmask-prepared-'));
    model = join(scratch, 'model');
    cpSync(fixtureModelPath('tiny-bert-uncased'), model, { recursive: true, dereference: true });
    cache = join(scratch, 'cache');
  });
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));

  async function answers(dtype: 'fp32' | 'q8', options: OnnxBackendOptions): Promise<{ answers: unknown; lines: string[] }> {
    const lines: string[] = [];
    const fillMask = await createFillMask({
      model,
      dtype,
      backend: createOnnxBackend({ ...options, onDebug: (line) => lines.push(line) }),
    });
    try {
      return { answers: [await fillMask.fill(inputs), await Promise.all(inputs.map((input) => fillMask.fill(input)))], lines };
    } finally {
      await fillMask.dispose();
    }
  }
  const entries = () => readdirSync(cache).sort();
  const opened = (lines: string[]) => lines.filter((line) => /prepared graph/.test(line));

  for (const dtype of ['fp32', 'q8'] as const) {
    it(`${dtype}: keeps the prepared graphs of a model file, then opens them for the same answers`, async () => {
      const expected = (await answers(dtype, { preparedGraphCache: false })).answers;
      const first = await answers(dtype, { preparedGraphCache: cache });
      expect(first.answers).toEqual(expected);
      expect(opened(first.lines).every((line) => line.includes(`the prepared graph is kept in ${cache}`))).toBe(true);
      // q8: the graph for one input, then the per-input quantized variant for the batch.
      const graphs = dtype === 'q8' ? 2 : 1;
      expect(opened(first.lines)).toHaveLength(graphs);
      expect(entries()).toHaveLength(2 * graphs);
      expect(entries().filter((name) => name.endsWith('.incomplete'))).toEqual([]);

      const second = await answers(dtype, { preparedGraphCache: cache });
      expect(second.answers).toEqual(expected);
      expect(opened(second.lines)).toHaveLength(graphs);
      expect(opened(second.lines).every((line) => line.includes(`the prepared graph is read from ${cache}`))).toBe(true);
      // What the preparation said is said again.
      const notes = (lines: string[]) => lines.filter((line) => !/prepared graph/.test(line));
      expect(notes(second.lines)).toEqual(notes(first.lines));
    });
  }

  it('keys an entry by the settings and by the file: another setting or a modified file prepares again', async () => {
    await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(entries()).toHaveLength(2);
    await answers('q8', { preparedGraphCache: cache, expectBatches: false });
    expect(entries()).toHaveLength(6);
    const before = entries();
    const file = join(model, 'onnx', 'model_quantized.onnx');
    utimesSync(file, new Date(), new Date(Date.now() + 60_000));
    const modified = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(opened(modified.lines)).toEqual([expect.stringContaining('the prepared graph is kept in')]);
    // The entries of the file as it was are removed with the write: the cache holds one per file and settings.
    expect(entries()).toHaveLength(2);
    expect(entries().filter((name) => before.includes(name))).toEqual([]);
  });

  it('removes an entry once its model file is gone, and what a write left unfinished long ago', async () => {
    await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    const first = entries();
    const abandoned = join(cache, `${first[0]}.123.456.incomplete`);
    writeFileSync(abandoned, 'half a graph');
    utimesSync(abandoned, new Date(0), new Date(0));
    const recent = join(cache, 'abc.onnx.789.1.incomplete');
    writeFileSync(recent, 'being written');
    const other = join(scratch, 'other');
    cpSync(model, other, { recursive: true });
    rmSync(model, { recursive: true });
    model = other;
    await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(entries()).toHaveLength(3);
    expect(entries().filter((name) => first.includes(name))).toEqual([]);
    expect(entries()).toContain('abc.onnx.789.1.incomplete');
  });

  it('prepares again, and keeps anew, a graph onnxruntime cannot open', async () => {
    const expected = (await answers('q8', { preparedGraphCache: cache, expectBatches: true })).answers;
    const [graph] = entries().filter((name) => name.endsWith('.onnx'));
    truncateSync(join(cache, graph), 100);
    const again = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(again.answers).toEqual(expected);
    expect(again.lines).toContainEqual(expect.stringMatching(/the prepared graph in \S+ did not open, so it is prepared again: /));
    expect(opened(again.lines)).toContainEqual(expect.stringContaining('the prepared graph is kept in'));
    const reopened = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(opened(reopened.lines)).toEqual([expect.stringContaining('the prepared graph is read from')]);
  });

  it('loads without keeping the graph where the cache cannot be written', async () => {
    writeFileSync(cache, 'a file where the folder would be');
    const result = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(result.answers).toEqual((await answers('q8', { preparedGraphCache: false, expectBatches: true })).answers);
    expect(result.lines).toContainEqual(expect.stringMatching(/the prepared graph could not be kept: /));
  });
});
