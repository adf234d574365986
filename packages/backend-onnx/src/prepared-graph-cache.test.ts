import {
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFillMask } from '@fillmask/core';
import { fixtureModelPath } from '@fillmask/fixtures';
import * as ort from 'onnxruntime-node';
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
    const abandoned = join(cache, `${'0'.repeat(32)}.onnx.123.456.deadbeef.incomplete`);
    writeFileSync(abandoned, 'half a graph');
    utimesSync(abandoned, new Date(0), new Date(0));
    const recent = join(cache, `${'1'.repeat(32)}.onnx.789.1.cafe0001.incomplete`);
    writeFileSync(recent, 'being written');
    const other = join(scratch, 'other');
    cpSync(model, other, { recursive: true });
    rmSync(model, { recursive: true });
    model = other;
    await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(entries()).toHaveLength(3);
    expect(entries().filter((name) => first.includes(name))).toEqual([]);
    expect(entries()).toContain(`${'1'.repeat(32)}.onnx.789.1.cafe0001.incomplete`);
    expect(entries()).not.toContain(`${'0'.repeat(32)}.onnx.123.456.deadbeef.incomplete`);
  });

  it('prepares again, and keeps anew, a graph onnxruntime cannot open', async () => {
    const expected = (await answers('q8', { preparedGraphCache: cache, expectBatches: true })).answers;
    const [graph] = entries().filter((name) => name.endsWith('.onnx'));
    // Damaged in place: the same size and modification time, other bytes.
    const file = join(cache, graph);
    const { size, atime, mtime } = statSync(file);
    writeFileSync(file, new Uint8Array(size).fill(7));
    utimesSync(file, atime, mtime);
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

  it('touches no file in its folder but its own', async () => {
    mkdirSync(cache);
    const foreign = ['package.json', 'notes.txt', 'old-folder'];
    writeFileSync(join(cache, 'package.json'), '{"name": "a project"}');
    writeFileSync(join(cache, 'notes.txt'), 'kept');
    mkdirSync(join(cache, 'old-folder'));
    for (const name of foreign) utimesSync(join(cache, name), new Date(0), new Date(0));
    const result = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(opened(result.lines)).toEqual([expect.stringContaining('the prepared graph is kept in')]);
    expect(entries().filter((name) => foreign.includes(name))).toEqual(foreign.sort());
  });

  it('prepares again for a record of another shape, and for a graph file changed since it was kept', async () => {
    const expected = (await answers('q8', { preparedGraphCache: cache, expectBatches: true })).answers;
    const [record] = entries().filter((name) => name.endsWith('.json'));
    const kept = JSON.parse(readFileSync(join(cache, record), 'utf8'));
    writeFileSync(join(cache, record), JSON.stringify({ ...kept, prepared: {} }));
    const reshaped = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(reshaped.answers).toEqual(expected);
    expect(opened(reshaped.lines)).toEqual([expect.stringContaining('the prepared graph is kept in')]);
    // The same size, another modification time: a graph written over is no entry.
    const graph = join(cache, record.replace(/\.json$/, '.onnx'));
    utimesSync(graph, new Date(), new Date(Date.now() + 60_000));
    const touched = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(touched.answers).toEqual(expected);
    expect(opened(touched.lines)).toEqual([expect.stringContaining('the prepared graph is kept in')]);
  });

  it('knows a model file replaced by a copy of the same size and modification time', async () => {
    await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    const file = join(model, 'onnx', 'model_quantized.onnx');
    const { atime, mtime } = statSync(file);
    // As `cp -p` replaces it: a new file with the old one's times.
    copyFileSync(file, `${file}.copy`);
    rmSync(file);
    copyFileSync(`${file}.copy`, file);
    utimesSync(file, atime, mtime);
    const replaced = await answers('q8', { preparedGraphCache: cache, expectBatches: true });
    expect(opened(replaced.lines)).toEqual([expect.stringContaining('the prepared graph is kept in')]);
  });

  it('with the exact int8 kernel asked for, keeps the graph with its weights as uint8', async () => {
    const exact = { sessionOptions: { extra: { session: { x64quantprecision: '1' } } }, expectBatches: true } as const;
    const expected = (await answers('q8', { ...exact, preparedGraphCache: false })).answers;
    const first = await answers('q8', { ...exact, preparedGraphCache: cache });
    const second = await answers('q8', { ...exact, preparedGraphCache: cache });
    expect(first.answers).toEqual(expected);
    expect(second.answers).toEqual(expected);
    const unsignedNote = /int8 weight matrices are stored as uint8/;
    if (process.arch === 'x64') {
      expect(first.lines).toContainEqual(expect.stringMatching(unsignedNote));
      expect(second.lines).toContainEqual(expect.stringMatching(unsignedNote));
      expect(opened(second.lines)).toEqual([expect.stringContaining('the prepared graph is read from')]);
      // The converted matrices are in the kept graph.
      const [graph] = entries().filter((name) => name.endsWith('.onnx'));
      expect(statSync(join(cache, graph)).size).toBeGreaterThan(statSync(join(model, 'onnx', 'model_quantized.onnx')).size / 2);
    } else {
      expect(first.lines).not.toContainEqual(expect.stringMatching(unsignedNote));
    }
  });

  it('gives a kept graph as bytes to an onnxruntime that would not find its weights from its path', async () => {
    const sources: string[] = [];
    const reported = {
      ...ort,
      env: { ...ort.env, versions: { ...ort.env.versions, node: '1.25.0', common: '1.25.0' } },
      InferenceSession: {
        create: (source: string | Uint8Array, options: ort.InferenceSession.SessionOptions) => {
          sources.push(typeof source === 'string' ? 'path' : 'bytes');
          return ort.InferenceSession.create(source as Uint8Array, options);
        },
      },
    } as unknown as typeof ort;
    const expected = (await answers('q8', { preparedGraphCache: false, expectBatches: true })).answers;
    const first = await answers('q8', { runtime: reported, preparedGraphCache: cache, expectBatches: true });
    const second = await answers('q8', { runtime: reported, preparedGraphCache: cache, expectBatches: true });
    expect(first.answers).toEqual(expected);
    expect(second.answers).toEqual(expected);
    expect(opened(second.lines)).toEqual([expect.stringContaining('the prepared graph is read from')]);
    expect(sources).toEqual(['bytes', 'bytes']);
  });
});
