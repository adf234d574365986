import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFillMask, UnsupportedModelError, type ModelFiles } from '@fillmask/core';
import { batchTokensForThreads, readModelWithWeightsByReference } from '@fillmask/onnx';
import { fixtureModelPath, fixtureModels, isReplayable, loadReference } from '@fillmask/fixtures';
import * as ort from 'onnxruntime-node';
import { createOnnxBackend } from './create-onnx-backend.js';
import type { OnnxBackendOptions } from './onnx-backend-options.js';
import { physicalCoreCount } from './physical-core-count.js';
import { asksExactInt8Kernel, defaultSessionOptions } from './session-defaults.js';

/** The defaults ask for onnxruntime's exact int8 kernel on this CPU, so int8 weights are stored as uint8 first. */
const convertsInt8Weights = asksExactInt8Kernel(defaultSessionOptions());
const unsignedWeightsLine = /^fillmask: \S+ \d+ int8 weight matrices are stored as uint8 \(values and zero points plus 128\)$/;

function folderFiles(folder: string, overrides: Record<string, Uint8Array> = {}): ModelFiles {
  return {
    location: folder,
    read: async (path) => overrides[path] ?? new Uint8Array(readFileSync(join(folder, path))),
    exists: async () => true,
  };
}

function withoutFolderSetting(options: ort.InferenceSession.SessionOptions): Record<string, unknown> {
  const { model_external_initializers_file_folder_path: _, ...session } = ((
    options.extra as { session?: Record<string, unknown> } | undefined
  )?.session ?? {}) as Record<string, unknown>;
  return session;
}

/** A fixture's q8 reference inputs that have answers, and one with three masks. */
function q8Inputs(model: (typeof fixtureModels)[number]): string[] {
  const reference = loadReference(model, 'q8');
  const mask = reference.mask_token;
  return [
    ...reference.cases.filter((entry) => isReplayable(entry) && entry.result).map((entry) => entry.input),
    `The ${mask} sat on the ${mask} near the ${mask}.`,
  ];
}

describe('createOnnxBackend', () => {
  it('rewrites every fixture graph, fp32 and q8, to project only the mask rows', async () => {
    for (const model of fixtureModels) {
      for (const modelFile of ['onnx/model.onnx', 'onnx/model_quantized.onnx']) {
        const lines: string[] = [];
        const backend = createOnnxBackend({ onDebug: (line) => lines.push(line) });
        const folder = fixtureModelPath(model);
        const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
        const loaded = await backend.loadModel({ files: folderFiles(folder), config, dtype: 'fp32', modelFile });
        const quantized = modelFile.endsWith('_quantized.onnx');
        // Where onnxruntime's exact int8 kernel is asked for, int8 weights are stored as uint8 first (its own line).
        const unsigned = quantized && convertsInt8Weights ? lines.splice(1, 1) : [];
        if (quantized && convertsInt8Weights) expect(unsigned[0]).toMatch(unsignedWeightsLine);
        expect(lines, `${model} ${modelFile}`).toHaveLength(2);
        const ops = Number(
          /^fillmask: \S+ rewritten: (\d+) ops, the vocabulary projection among them, run on the mask rows only$/.exec(lines[0])?.[1],
        );
        // fp32: the head and the last layer's attention output and feed-forward block; int8: the
        // projection alone (each DynamicQuantizeLinear reads a whole tensor).
        if (quantized) expect(ops).toBe(1);
        else expect(ops).toBeGreaterThanOrEqual(48);
        // int8: batches will get the variant quantizing each input on its own.
        if (quantized)
          expect(lines[1]).toMatch(
            /^fillmask: \S+ batches of several inputs will run a variant that quantizes each input on its own \(\d+ quantizers\)$/,
          );
        // fp32: the products at the mask rows run as 1×1 convolutions (int8 ones stay as they are).
        else expect(lines[1]).toMatch(/^fillmask: \S+ \d+ weight products run as 1×1 convolutions \(\d+ with their bias\)$/);
        expect(loaded.vocabSize).toBe(config.vocab_size);
        expect(loaded.batchInvariant).toBe(true);
        await loaded.dispose();
      }
    }
  });

  it("suggests a token budget by its threads: the default of core's maxBatchTokens", async () => {
    const folder = fixtureModelPath('tiny-bert-uncased');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    for (const [threads, tokens] of [
      [1, 256],
      [4, 512],
      [8, 1024],
    ]) {
      const backend = createOnnxBackend({ sessionOptions: { intraOpNumThreads: threads } });
      const loaded = await backend.loadModel({ files: folderFiles(folder), config, dtype: 'fp32', modelFile: 'onnx/model.onnx' });
      expect(loaded.preferredBatchTokens, `${threads} threads`).toBe(tokens);
      await loaded.dispose();
    }
    const defaults = await createOnnxBackend().loadModel({
      files: folderFiles(folder),
      config,
      dtype: 'fp32',
      modelFile: 'onnx/model.onnx',
    });
    expect(defaults.preferredBatchTokens).toBe(batchTokensForThreads(physicalCoreCount()));
    await defaults.dispose();
  });

  it('builds and opens the q8 batch variant at the first batch of several inputs, projecting only the mask rows', async () => {
    const lines: string[] = [];
    const folder = fixtureModelPath('tiny-bert-uncased');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const backend = createOnnxBackend({ onDebug: (line) => lines.push(line) });
    const loaded = await backend.loadModel({ files: folderFiles(folder), config, dtype: 'q8', modelFile: 'onnx/model_quantized.onnx' });
    const ids = Int32Array.of(101, 103, 102, 101, 2023, 103, 102, 0);
    const batch = {
      batchSize: 2,
      sequenceLength: 4,
      inputIds: ids,
      attentionMask: ids.map((id) => (id === 0 ? 0 : 1)),
      tokenTypeIds: new Int32Array(8),
    };
    await loaded.run({
      ...batch,
      batchSize: 1,
      sequenceLength: 3,
      inputIds: ids.subarray(0, 3),
      attentionMask: Int32Array.of(1, 1, 1),
      tokenTypeIds: new Int32Array(3),
      positions: Int32Array.of(1),
    });
    const loadLines = convertsInt8Weights ? 3 : 2;
    expect(lines).toHaveLength(loadLines);
    const { logits } = await loaded.run({ ...batch, positions: Int32Array.of(1, 6) });
    expect(logits).toHaveLength(2 * loaded.vocabSize);
    const [batchLine, ...batchUnsigned] = lines[loadLines].split('; ');
    expect(batchLine).toMatch(
      /^fillmask: onnx\/model_quantized.onnx the variant quantizing each input on its own rewritten: \d+ ops, the vocabulary projection among them, run on the mask rows only$/,
    );
    expect(batchUnsigned).toHaveLength(convertsInt8Weights ? 1 : 0);
    if (convertsInt8Weights) expect(`fillmask: onnx/model_quantized.onnx ${batchUnsigned[0]}`).toMatch(unsignedWeightsLine);
    await loaded.dispose();
  });

  it('says why a graph is not rewritten, then loads it unchanged', async () => {
    const lines: string[] = [];
    const folder = fixtureModelPath('tiny-bert-uncased');
    // Not an ONNX model at all: the rewrite gives up, then onnxruntime rejects it with a typed error.
    const files = folderFiles(folder, { 'onnx/model.onnx': new Uint8Array([8, 7]) });
    const backend = createOnnxBackend({ onDebug: (line) => lines.push(line) });
    const error = await backend
      .loadModel({ files, config: {}, dtype: 'fp32', modelFile: 'onnx/model.onnx' })
      .catch((caught: unknown) => caught);
    expect(lines).toEqual(['fillmask: onnx/model.onnx runs unchanged, computing logits at every position: the model has no graph']);
    expect(UnsupportedModelError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain('onnxruntime could not load onnx/model.onnx');
  });
  describe('from a file on disk, leaves the weights in the file for onnxruntime to read', () => {
    const folder = fixtureModelPath('tiny-roberta');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const onDisk: ModelFiles = { ...folderFiles(folder), localPath: async (path) => join(folder, path) };
    const ids = Int32Array.of(0, 713, 50264, 16, 2, 0, 50264, 2);
    const batch = {
      batchSize: 2,
      sequenceLength: 4,
      inputIds: ids,
      attentionMask: new Int32Array(8).fill(1),
      tokenTypeIds: new Int32Array(8),
      positions: Int32Array.of(2, 6),
    };
    const single = {
      ...batch,
      batchSize: 1,
      inputIds: ids.subarray(0, 4),
      attentionMask: new Int32Array(4).fill(1),
      tokenTypeIds: new Int32Array(4),
      positions: Int32Array.of(2),
    };

    for (const [dtype, modelFile] of [
      ['fp32', 'onnx/model.onnx'],
      ['q8', 'onnx/model_quantized.onnx'],
    ] as const) {
      it(`${modelFile}: the same logits as from the whole file read into memory, for one input and for a batch`, async () => {
        const lines: string[] = [];
        // Prepared here every time, not opened from a kept graph (prepared-graph-cache.test.ts).
        const byReference = await createOnnxBackend({ preparedGraphCache: false, onDebug: (line) => lines.push(line) }).loadModel({
          files: onDisk,
          config,
          dtype,
          modelFile,
        });
        const whole = await createOnnxBackend().loadModel({ files: folderFiles(folder), config, dtype, modelFile });
        try {
          expect(
            lines.filter((line) =>
              /^fillmask: \S+: onnxruntime reads \d+ weight tensors from the file itself; \d+ bytes of it were read here$/.test(line),
            ),
          ).toHaveLength(1);
          expect((await byReference.run(single)).logits).toEqual((await whole.run(single)).logits);
          // For q8 the batch runs the per-input quantized variant, which goes by reference too.
          expect((await byReference.run(batch)).logits).toEqual((await whole.run(batch)).logits);
          expect(lines.filter((line) => line.includes('weight tensors from the file itself'))).toHaveLength(dtype === 'q8' ? 2 : 1);
        } finally {
          await byReference.dispose();
          await whole.dispose();
        }
      });
    }

    it('follows a model file that links elsewhere, as the Hub cache links snapshot files to blobs', async () => {
      const cache = mkdtempSync(join(tmpdir(), 'fillmask-linked-model-'));
      try {
        mkdirSync(join(cache, 'blobs'));
        mkdirSync(join(cache, 'snapshot', 'onnx'), { recursive: true });
        copyFileSync(join(folder, 'onnx', 'model.onnx'), join(cache, 'blobs', '0123abcd'));
        symlinkSync(join('..', '..', 'blobs', '0123abcd'), join(cache, 'snapshot', 'onnx', 'model.onnx'));
        const linked: ModelFiles = { ...folderFiles(folder), localPath: async (path) => join(cache, 'snapshot', path) };
        const lines: string[] = [];
        const loaded = await createOnnxBackend({ onDebug: (line) => lines.push(line) }).loadModel({
          files: linked,
          config,
          dtype: 'fp32',
          modelFile: 'onnx/model.onnx',
        });
        const whole = await createOnnxBackend().loadModel({
          files: folderFiles(folder),
          config,
          dtype: 'fp32',
          modelFile: 'onnx/model.onnx',
        });
        try {
          expect(lines.filter((line) => line.includes('weight tensors from the file itself'))).toHaveLength(1);
          expect(lines.filter((line) => line.includes('read whole'))).toEqual([]);
          expect((await loaded.run(single)).logits).toEqual((await whole.run(single)).logits);
        } finally {
          await loaded.dispose();
          await whole.dispose();
        }
      } finally {
        rmSync(cache, { recursive: true, force: true });
      }
    });

    it('does not try the graph by reference with an onnxruntime older than 1.21, which would look for the weights in the working directory', async () => {
      const lines: string[] = [];
      const reported = (versions: Record<string, string>) => ({ ...ort, env: { ...ort.env, versions } }) as unknown as typeof ort;
      for (const versions of [{ common: '1.20.1', node: '1.20.1' }, { common: '1.20.0' }, {}] as Array<Record<string, string>>) {
        const loaded = await createOnnxBackend({ runtime: reported(versions), onDebug: (line) => lines.push(line) }).loadModel({
          files: onDisk,
          config,
          dtype: 'fp32',
          modelFile: 'onnx/model.onnx',
        });
        expect((await loaded.run(single)).logits).toHaveLength(loaded.vocabSize);
        await loaded.dispose();
      }
      expect(lines.filter((line) => line.includes('file itself') || line.includes('read whole'))).toEqual([]);
      expect(lines.filter((line) => line.includes('run on the mask rows only'))).toHaveLength(3);
    });

    it('says once why a file on disk that is no model was read whole, then rejects it with the typed error', async () => {
      const broken = mkdtempSync(join(tmpdir(), 'fillmask-not-a-model-'));
      try {
        mkdirSync(join(broken, 'onnx'));
        writeFileSync(join(broken, 'onnx', 'model.onnx'), new Uint8Array([8, 7]));
        const lines: string[] = [];
        const files: ModelFiles = { ...folderFiles(broken), localPath: async (path) => join(broken, path) };
        const error = await createOnnxBackend({ onDebug: (line) => lines.push(line) })
          .loadModel({ files, config: {}, dtype: 'fp32', modelFile: 'onnx/model.onnx' })
          .catch((caught: unknown) => caught);
        expect(lines).toHaveLength(2);
        expect(lines[0]).toMatch(
          /^fillmask: onnx\/model\.onnx: the graph with its weights left in the file did not load, so it is read whole: /,
        );
        expect(lines[1]).toBe('fillmask: onnx/model.onnx runs unchanged, computing logits at every position: the model has no graph');
        expect(UnsupportedModelError.isInstance(error)).toBe(true);
      } finally {
        rmSync(broken, { recursive: true, force: true });
      }
    });

    it('reads the whole file instead when the runtime does not open the graph by reference', async () => {
      const lines: string[] = [];
      // The real runtime, minus the folder setting, so the references are looked for in the working directory and not found.
      const olderRuntime = {
        ...ort,
        InferenceSession: {
          create: (source: string | Uint8Array, options: ort.InferenceSession.SessionOptions = {}) =>
            ort.InferenceSession.create(source as Uint8Array, {
              ...options,
              extra: { ...options.extra, session: { ...withoutFolderSetting(options) } },
            }),
        },
      } as unknown as typeof ort;
      const loaded = await createOnnxBackend({ runtime: olderRuntime, onDebug: (line) => lines.push(line) }).loadModel({
        files: onDisk,
        config,
        dtype: 'fp32',
        modelFile: 'onnx/model.onnx',
      });
      const whole = await createOnnxBackend().loadModel({
        files: folderFiles(folder),
        config,
        dtype: 'fp32',
        modelFile: 'onnx/model.onnx',
      });
      try {
        expect(lines.filter((line) => line.includes('did not load, so it is read whole'))).toHaveLength(1);
        expect((await loaded.run(single)).logits).toEqual((await whole.run(single)).logits);
      } finally {
        await loaded.dispose();
        await whole.dispose();
      }
    });
  });

  it('loads a rewritten graph whose weights are in external data beside it, by reference or read whole', async () => {
    // A model saved with external data: onnx/model.onnx holds the graph, onnx/weights.onnx the weights.
    const folder = fixtureModelPath('tiny-roberta');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const saved = mkdtempSync(join(tmpdir(), 'fillmask-external-data-'));
    try {
      mkdirSync(join(saved, 'onnx'));
      copyFileSync(join(folder, 'onnx', 'model.onnx'), join(saved, 'onnx', 'weights.onnx'));
      const original = new Uint8Array(readFileSync(join(folder, 'onnx', 'model.onnx')));
      const { model } = await readModelWithWeightsByReference(
        { size: original.length, read: async (offset, length) => original.slice(offset, offset + length) },
        { location: 'weights.onnx' },
      );
      writeFileSync(join(saved, 'onnx', 'model.onnx'), model);
      const onDisk: ModelFiles = { ...folderFiles(saved), localPath: async (path) => join(saved, path) };
      const ids = Int32Array.of(0, 713, 50264, 2);
      const single = {
        batchSize: 1,
        sequenceLength: 4,
        inputIds: ids,
        attentionMask: new Int32Array(4).fill(1),
        tokenTypeIds: new Int32Array(4),
        positions: Int32Array.of(2),
      };
      const expected = await createOnnxBackend().loadModel({
        files: folderFiles(folder),
        config,
        dtype: 'fp32',
        modelFile: 'onnx/model.onnx',
      });
      try {
        // By reference (the references kept as the file has them), with the default convolution rewrite,
        // which reads the matrices it transposes from the external data, and without it.
        for (const options of [{ pointwiseConvolutions: false }, {}] satisfies OnnxBackendOptions[]) {
          const lines: string[] = [];
          const loaded = await createOnnxBackend({ ...options, onDebug: (line) => lines.push(line) }).loadModel({
            files: onDisk,
            config,
            dtype: 'fp32',
            modelFile: 'onnx/model.onnx',
          });
          try {
            expect(lines.some((line) => line.includes('run on the mask rows only'))).toBe(true);
            expect(lines.filter((line) => line.includes('weight tensors from the file itself'))).toHaveLength(1);
            expect(lines.filter((line) => line.includes('read whole'))).toEqual([]);
            const [actual, reference] = [(await loaded.run(single)).logits, (await expected.run(single)).logits];
            if ('pointwiseConvolutions' in options) {
              expect(lines.filter((line) => line.includes('convolutions'))).toEqual([]);
              expect(actual.length).toBe(reference.length);
              // The same sums added in another order.
              for (const [index, value] of actual.entries()) expect(Math.abs(value - reference[index])).toBeLessThan(1e-5);
            } else {
              expect(lines.filter((line) => line.includes('5 weight products run as 1×1 convolutions'))).toHaveLength(1);
              // The same filters as from the whole file: the tied projection's by reference, the others read and transposed.
              expect(actual).toEqual(reference);
            }
          } finally {
            await loaded.dispose();
          }
        }
        // The same file behind a link: the data beside the link is not beside the link's target, and onnxruntime reads from one folder, so the file is read whole.
        mkdirSync(join(saved, 'blobs'));
        renameSync(join(saved, 'onnx', 'model.onnx'), join(saved, 'blobs', 'graph'));
        symlinkSync(join('..', 'blobs', 'graph'), join(saved, 'onnx', 'model.onnx'));
        const lines: string[] = [];
        const linked = await createOnnxBackend({ onDebug: (line) => lines.push(line) }).loadModel({
          files: onDisk,
          config,
          dtype: 'fp32',
          modelFile: 'onnx/model.onnx',
        });
        try {
          expect(
            lines.filter(
              (line) =>
                line.includes('read whole') &&
                line.includes(
                  `its external data lies in ${realpathSync(join(saved, 'onnx'))}, and the file itself in ${realpathSync(join(saved, 'blobs'))}`,
                ),
            ),
          ).toHaveLength(1);
          expect((await linked.run(single)).logits).toEqual((await expected.run(single)).logits);
        } finally {
          await linked.dispose();
        }
      } finally {
        await expected.dispose();
      }
    } finally {
      rmSync(saved, { recursive: true, force: true });
    }
  });

  it('runs the weight products at the mask rows as convolutions by default, every one or none when asked, with the weights left in the file', async () => {
    const folder = fixtureModelPath('tiny-roberta');
    const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
    const files: ModelFiles = { ...folderFiles(folder), localPath: async (path) => join(folder, path) };
    const notesWith = async (options: OnnxBackendOptions) => {
      const lines: string[] = [];
      const loaded = await createOnnxBackend({ preparedGraphCache: false, ...options, onDebug: (line) => lines.push(line) }).loadModel({
        files,
        config,
        dtype: 'fp32',
        modelFile: 'onnx/model.onnx',
      });
      await loaded.dispose();
      expect(lines.filter((line) => line.includes('weight tensors from the file itself'))).toHaveLength(1);
      return lines.filter((line) => line.includes('convolution'));
    };
    // At the mask rows: the last layer's output block (attention output, feed-forward), the head's transform and the projection.
    expect(await notesWith({})).toEqual(['fillmask: onnx/model.onnx 5 weight products run as 1×1 convolutions (5 with their bias)']);
    expect(await notesWith({ pointwiseConvolutions: true })).toEqual([
      'fillmask: onnx/model.onnx 5 weight products run as 1×1 convolutions (5 with their bias)',
    ]);
    expect(await notesWith({ pointwiseConvolutions: 'everywhere' })).toEqual([
      'fillmask: onnx/model.onnx 14 weight products run as 1×1 convolutions (14 with their bias)',
    ]);
    expect(await notesWith({ pointwiseConvolutions: false })).toEqual([]);
  });

  it('with expectBatches, opens only the per-input q8 graph, and answers every input as the default backend does', async () => {
    let withVariant = 0;
    for (const model of fixtureModels) {
      const inputs = q8Inputs(model);
      const answers = async (options: OnnxBackendOptions) => {
        let sessions = 0;
        const runtime = {
          ...ort,
          InferenceSession: {
            create: (...args: Parameters<typeof ort.InferenceSession.create>) => {
              sessions++;
              return ort.InferenceSession.create(...args);
            },
          },
        } as unknown as typeof ort;
        const lines: string[] = [];
        const fillMask = await createFillMask({
          model: fixtureModelPath(model),
          dtype: 'q8',
          backend: createOnnxBackend({ ...options, runtime, onDebug: (line) => lines.push(line) }),
          onWarning: () => undefined,
        });
        const alone = [];
        for (const input of inputs) alone.push(await fillMask.fill(input, { topK: 10 }));
        const batch = await fillMask.fill(inputs, { topK: 10 });
        await fillMask.dispose();
        return { alone, batch, sessions, lines };
      };
      const expecting = await answers({ expectBatches: true });
      const defaults = await answers({});
      const variantOnly = expecting.lines.some((line) =>
        / every input runs the variant that quantizes each input on its own \(\d+ quantizers\), as batches are expected$/.test(line),
      );
      if (variantOnly) withVariant++;
      // A graph with no per-input variant loads as it would anyway.
      expect([expecting.sessions, defaults.sessions], model).toEqual([1, variantOnly ? 2 : 1]);
      expect(expecting.alone, model).toEqual(defaults.alone);
      expect(expecting.batch, model).toEqual(defaults.batch);
    }
    expect(withVariant).toBeGreaterThan(fixtureModels.length / 2);
  });

  it("gives q8 answers bit for bit those of onnxruntime's exact u8×u8 kernel, on this CPU's int8 kernel", async () => {
    // Where the fast kernel saturates, the defaults choose u8×u8 themselves; elsewhere (VNNI, Arm)
    // they keep the fast kernel, which must then be exact: the same sums, the same scores.
    const u8u8 = { extra: { session: { x64quantprecision: '1' } } };
    for (const model of fixtureModels) {
      const inputs = q8Inputs(model);
      const answers = async (sessionOptions?: OnnxBackendOptions['sessionOptions']) => {
        const fillMask = await createFillMask({
          model: fixtureModelPath(model),
          dtype: 'q8',
          backend: createOnnxBackend({ sessionOptions }),
          onWarning: () => undefined,
        });
        // One input at a time (the graph as exported), then all as one batch (the per-input variant).
        const alone = [];
        for (const input of inputs) alone.push(await fillMask.fill(input, { topK: 10 }));
        const batch = await fillMask.fill(inputs, { topK: 10 });
        await fillMask.dispose();
        return { alone, batch };
      };
      const defaults = await answers();
      expect(defaults.alone.length, model).toBeGreaterThanOrEqual(18);
      expect(defaults, model).toEqual(await answers(u8u8));
    }
  });

  // Retried: on a loaded machine a window can miss the spinning (it may end before the window opens).
  it("spins after a call as onnxruntime does by default, and gives the core back at once when asked (force_spinning_stop '1')", {
    retry: 2,
  }, async () => {
    // CPU time the process uses in the 150 ms after each of 4 calls, while Node only waits. Two
    // threads whatever the machine: with one there is no pool thread to spin.
    const idleCpuMilliseconds = async (extra?: Record<string, unknown>) => {
      const sessionOptions: OnnxBackendOptions['sessionOptions'] = { intraOpNumThreads: 2, ...(extra && { extra }) };
      const fillMask = await createFillMask({
        model: fixtureModelPath('tiny-roberta'),
        backend: createOnnxBackend({ sessionOptions }),
        onWarning: () => undefined,
      });
      const used: number[] = [];
      for (let call = 0; call < 4; call++) {
        await fillMask.fill('Paris is the <mask> of France.');
        const start = process.cpuUsage();
        await new Promise((resolve) => setTimeout(resolve, 150));
        const { user, system } = process.cpuUsage(start);
        used.push((user + system) / 1000);
      }
      await fillMask.dispose();
      return { quietest: Math.min(...used), busiest: Math.max(...used) };
    };
    // Stopped when a run returns (session.force_spinning_stop): nothing runs while Node waits.
    const stopped = await idleCpuMilliseconds({ session: { force_spinning_stop: '1' } });
    expect(stopped.quietest).toBeLessThan(5);
    // The defaults: onnxruntime's spinning threads keep a core busy after the call.
    const defaults = await idleCpuMilliseconds();
    expect(defaults.busiest).toBeGreaterThan(stopped.quietest + 10);
  });
});
