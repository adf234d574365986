import { afterEach, describe, expect, it, vi } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureModelPath } from '@fillmask/fixtures';
import type {
  BackendModelV1,
  FillMaskBackendV1,
  LoadModelRequestV1,
  PositionLogitsV1,
  TokenBatchV1,
} from '../backend/fill-mask-backend-v1.js';
import type { ModelFiles } from '../model-source/model-files.js';
import type { FillMaskConfig } from './fill-mask-config.js';
import type { FillMaskWarning } from './fill-mask-warning.js';
import type { FillProgress } from './fill-options.js';
import { DisposedError } from '../errors/disposed-error.js';
import { FillMaskError } from '../errors/fill-mask-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { InputTooLongError } from '../errors/input-too-long-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { MissingMaskError } from '../errors/missing-mask-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { createFillMask } from './create-fill-mask.js';

// A test double for the backend: core tokenizes, batches and ranks; this "model" only returns
// logits that make a known token win at each mask, so every result below is known exactly.

const folder = fixtureModelPath('tiny-bert-uncased');
const vocabSize = 30522;

function folderFiles(): ModelFiles {
  return {
    location: folder,
    read: async (path) => readFileSync(join(folder, path)),
    exists: async (path) => existsSync(join(folder, path)),
  };
}

/**
 * The echo model: at each mask, the token just before the mask gets logit 8, the next id 6, every
 * other id 0. So the top 5 are [previous, previous + 1, 0, 1, 2] (ties go to the lower id).
 */
function echoLogits(batch: TokenBatchV1, size: number): Float32Array {
  const logits = new Float32Array(batch.positions.length * size);
  batch.positions.forEach((position, index) => {
    const previous = batch.inputIds[position - 1];
    logits[index * size + previous] = 8;
    logits[index * size + ((previous + 1) % size)] = 6;
  });
  return logits;
}

const echoNormaliser = Math.exp(8) + Math.exp(6) + (vocabSize - 2);
const echoScores = { first: Math.exp(8) / echoNormaliser, second: Math.exp(6) / echoNormaliser, rest: 1 / echoNormaliser };

interface FakeBackend {
  readonly backend: FillMaskBackendV1;
  readonly loads: LoadModelRequestV1[];
  /** Copies of every batch the model ran. */
  readonly runs: TokenBatchV1[];
  readonly disposals: () => number;
}

function fakeBackend(
  options: {
    vocabSize?: number;
    preferredBatchTokens?: number;
    run?: (batch: TokenBatchV1, size: number) => Promise<PositionLogitsV1>;
  } = {},
): FakeBackend {
  const size = options.vocabSize ?? vocabSize;
  const loads: LoadModelRequestV1[] = [];
  const runs: TokenBatchV1[] = [];
  let disposals = 0;
  const model: BackendModelV1 = {
    vocabSize: size,
    preferredBatchTokens: options.preferredBatchTokens,
    async run(batch) {
      runs.push({
        ...batch,
        inputIds: batch.inputIds.slice(),
        attentionMask: batch.attentionMask.slice(),
        tokenTypeIds: batch.tokenTypeIds.slice(),
        positions: batch.positions.slice(),
      });
      return options.run ? options.run(batch, size) : { logits: echoLogits(batch, size) };
    },
    async dispose() {
      disposals++;
    },
  };
  const backend: FillMaskBackendV1 = {
    specificationVersion: 'v1',
    name: 'fake',
    async loadModel(request) {
      loads.push(request);
      return model;
    },
  };
  return { backend, loads, runs, disposals: () => disposals };
}

async function rejection<T extends Error>(promise: Promise<unknown>, isInstance: (error: unknown) => boolean): Promise<T> {
  const error = await promise.then(
    () => expect.unreachable('expected a rejection'),
    (reason: unknown) => reason,
  );
  expect(isInstance(error), String(error)).toBe(true);
  return error as T;
}

const id = { is: 2003, isNext: 2004, paris: 3000, london: 2414, the: 1996, mask: 103, cls: 101, sep: 102 };

afterEach(() => {
  vi.restoreAllMocks();
});

describe('createFillMask', () => {
  describe('config validation, before anything is loaded', () => {
    const untouchedFiles = () => {
      const files = {
        location: 'never-read',
        read: vi.fn(async () => {
          throw new Error('read');
        }),
        exists: vi.fn(async () => false),
      };
      return files;
    };

    it.each([
      ['no config', undefined, 'config'],
      ['null config', null, 'config'],
      ['no model', { model: undefined }, 'model'],
      ['an empty model id', { model: '' }, 'model'],
      ['a blank model id', { model: '   ' }, 'model'],
      ['a number as model', { model: 42 }, 'model'],
      ['an object that is not ModelFiles', { model: { location: 'x' } }, 'model'],
      ['dtype fp16', { dtype: 'fp16' }, 'dtype'],
      ['batchSize 0', { batchSize: 0 }, 'batchSize'],
      ['batchSize -1', { batchSize: -1 }, 'batchSize'],
      ['batchSize 2.5', { batchSize: 2.5 }, 'batchSize'],
      ['batchSize "2"', { batchSize: '2' }, 'batchSize'],
      ['maxBatchTokens 0', { maxBatchTokens: 0 }, 'maxBatchTokens'],
      ['maxBatchTokens 1.5', { maxBatchTokens: 1.5 }, 'maxBatchTokens'],
      ['maxBatchTokens "512"', { maxBatchTokens: '512' }, 'maxBatchTokens'],
      ['topK 0', { topK: 0 }, 'topK'],
      ['topK 1.5', { topK: 1.5 }, 'topK'],
      ['topK "3"', { topK: '3' }, 'topK'],
      ['topK NaN', { topK: Number.NaN }, 'topK'],
      ['backend 42', { backend: 42 }, 'backend'],
    ])('%s is an InvalidArgumentError naming %s', async (_label, overrides, argument) => {
      const files = untouchedFiles();
      const fake = fakeBackend();
      const config =
        overrides === undefined || overrides === null ? overrides : { model: files, backend: fake.backend, ...(overrides as object) };
      const error = await rejection<InvalidArgumentError>(
        createFillMask(config as unknown as FillMaskConfig),
        InvalidArgumentError.isInstance,
      );
      expect(error.argument).toBe(argument);
      expect(error.message).toMatch(new RegExp(`^Invalid ${argument}: expected `));
      expect(files.read).not.toHaveBeenCalled();
      expect(files.exists).not.toHaveBeenCalled();
      expect(fake.loads).toHaveLength(0);
    });

    it('the dtype message lists the accepted values', async () => {
      const error = await rejection<InvalidArgumentError>(
        createFillMask({ model: folderFiles(), dtype: 'fp16' as 'fp32' }),
        InvalidArgumentError.isInstance,
      );
      expect(error.message).toBe('Invalid dtype: expected "fp32" or "q8", received "fp16".');
    });
  });

  describe('loading', () => {
    it('asks the backend for the graph of the dtype, with the model config and files', async () => {
      const fake = fakeBackend();
      const files = folderFiles();
      const fillMask = await createFillMask({ model: files, backend: fake.backend });
      expect(fake.loads).toHaveLength(1);
      expect(fake.loads[0]).toMatchObject({ files, dtype: 'fp32', modelFile: 'onnx/model.onnx' });
      expect(fake.loads[0].config).toMatchObject({ model_type: 'bert', vocab_size: 30522 });
      expect([fillMask.maskToken, fillMask.maxLength, fillMask.model, fillMask.backend]).toEqual(['[MASK]', 512, folder, 'fake']);

      const quantised = fakeBackend();
      await createFillMask({ model: files, backend: quantised.backend, dtype: 'q8' });
      expect(quantised.loads[0]).toMatchObject({ dtype: 'q8', modelFile: 'onnx/model_quantized.onnx' });
    });

    it('a mask id outside the model`s outputs is an UnsupportedModelError, and the model is freed', async () => {
      const fake = fakeBackend({ vocabSize: 100 });
      const error = await rejection<UnsupportedModelError>(
        createFillMask({ model: folderFiles(), backend: fake.backend }),
        UnsupportedModelError.isInstance,
      );
      expect(error.model).toBe(folder);
      expect(error.message).toContain("the mask token id 103 is outside the model's 100 outputs");
      expect(fake.disposals()).toBe(1);
    });

    it('bad targets or truncation in the config fail at creation, and the model is freed', async () => {
      const fake = fakeBackend();
      const error = await rejection<InvalidArgumentError>(
        createFillMask({ model: folderFiles(), backend: fake.backend, targets: [] }),
        InvalidArgumentError.isInstance,
      );
      expect(error.argument).toBe('targets');
      expect(fake.disposals()).toBe(1);
      const truncation = await rejection<InvalidArgumentError>(
        createFillMask({ model: folderFiles(), backend: fakeBackend().backend, truncation: 'yes' as unknown as boolean }),
        InvalidArgumentError.isInstance,
      );
      expect(truncation.argument).toBe('truncation');
    });

    it('a target whose id is outside the model`s outputs is an InvalidArgumentError, not NaN scores', async () => {
      const fillMask = await createFillMask({ model: folderFiles(), backend: fakeBackend({ vocabSize: 2000 }).backend });
      const error = await rejection<InvalidArgumentError>(
        fillMask.fill('a [MASK]', { targets: ['paris'] }),
        InvalidArgumentError.isInstance,
      );
      expect(error.message).toContain("within the model's 2000 outputs (the tokenizer gave id 3000)");
      await expect(fillMask.fill('a [MASK]', { targets: ['the'] })).resolves.toHaveLength(1);
    });

    it('a mask id just inside the outputs is accepted', async () => {
      await expect(createFillMask({ model: folderFiles(), backend: fakeBackend({ vocabSize: 104 }).backend })).resolves.toBeDefined();
    });
  });

  describe('fill', () => {
    it('one input: topK 5 by default, ranked, with token strings, sequences and full-softmax scores', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const result = await fillMask.fill('The capital of France is [MASK].');
      expect(result).toHaveLength(1);
      const [predictions] = result;
      expect(predictions.map(({ token, token_str, sequence }) => ({ token, token_str, sequence }))).toEqual([
        { token: id.is, token_str: 'is', sequence: 'the capital of france is is.' },
        { token: id.isNext, token_str: 'as', sequence: 'the capital of france is as.' },
        { token: 0, token_str: '[PAD]', sequence: 'the capital of france is [PAD].' },
        { token: 1, token_str: '[unused0]', sequence: 'the capital of france is [unused0].' },
        { token: 2, token_str: '[unused1]', sequence: 'the capital of france is [unused1].' },
      ]);
      expect(predictions[0].score).toBeCloseTo(echoScores.first, 12);
      expect(predictions[1].score).toBeCloseTo(echoScores.second, 12);
      for (const prediction of predictions.slice(2)) expect(prediction.score).toBeCloseTo(echoScores.rest, 12);
      // The backend saw the framed ids and was asked for the mask position only.
      expect(fake.runs).toHaveLength(1);
      expect([...fake.runs[0].inputIds]).toEqual([101, 1996, 3007, 1997, 2605, 2003, 103, 1012, 102]);
      expect([...fake.runs[0].positions]).toEqual([6]);
    });

    it('topK is capped by the number of targets, whose scores are not renormalised', async () => {
      const fillMask = await createFillMask({ model: folderFiles(), backend: fakeBackend().backend });
      const [predictions] = await fillMask.fill('The capital of France is [MASK].', { targets: ['paris', 'is', 'london'], topK: 10 });
      expect(predictions.map((prediction) => prediction.token)).toEqual([id.is, id.london, id.paris]);
      expect(predictions[0].score).toBeCloseTo(echoScores.first, 12);
      expect(predictions[1].score).toBeCloseTo(echoScores.rest, 12);
      expect(predictions[2].score).toBeCloseTo(echoScores.rest, 12);
      const [two] = await fillMask.fill('The capital of France is [MASK].', { targets: ['paris', 'is', 'london'], topK: 2 });
      expect(two.map((prediction) => prediction.token)).toEqual([id.is, id.london]);
    });

    it('call options override the config`s topK, targets and truncation', async () => {
      const fillMask = await createFillMask({
        model: folderFiles(),
        backend: fakeBackend().backend,
        topK: 2,
        targets: ['paris', 'london', 'is'],
        truncation: true,
      });
      const text = 'The capital of France is [MASK].';
      expect((await fillMask.fill(text))[0].map((prediction) => prediction.token)).toEqual([id.is, id.london]);
      expect((await fillMask.fill(text, { topK: 3 }))[0].map((prediction) => prediction.token)).toEqual([id.is, id.london, id.paris]);
      expect((await fillMask.fill(text, { targets: ['the'] }))[0].map((prediction) => prediction.token)).toEqual([id.the]);
      // Three targets tied at logit 0: the lowest id, "the", wins.
      expect(
        (await fillMask.fill(text, { targets: ['paris', 'london', 'the'], topK: 1 }))[0].map((prediction) => prediction.token),
      ).toEqual([id.the]);

      const long = `${'hello '.repeat(600)} is [MASK]`;
      const [truncated] = await fillMask.fill(long);
      expect(truncated[0].token).toBe(id.is);
      const error = await rejection<InputTooLongError>(fillMask.fill(long, { truncation: false }), InputTooLongError.isInstance);
      expect([error.length, error.limit]).toEqual([604, 512]);
    });

    it('fill([]) returns [] without running the model', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const progress: FillProgress[] = [];
      expect(await fillMask.fill([], { onProgress: (entry) => progress.push(entry) })).toEqual([]);
      expect(fake.runs).toHaveLength(0);
      expect(progress).toEqual([]);
    });

    it.each([[42], [null], [{ 0: 'a [MASK]' }], [undefined]])(
      'an input that is neither a string nor an array (%j) is an InvalidArgumentError',
      async (input) => {
        const fake = fakeBackend();
        const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
        const error = await rejection<InvalidArgumentError>(fillMask.fill(input as unknown as string), InvalidArgumentError.isInstance);
        expect(error.argument).toBe('inputs');
        expect(fake.runs).toHaveLength(0);
      },
    );

    it('a bad element of an array fails the whole call, naming its index', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const error = await rejection<MissingMaskError>(fillMask.fill(['ok [MASK]', 'no mask here']), MissingMaskError.isInstance);
      expect(error.inputIndex).toBe(1);
      const invalid = await rejection<InvalidArgumentError>(
        fillMask.fill(['ok [MASK]', 7 as unknown as string]),
        InvalidArgumentError.isInstance,
      );
      expect(invalid.argument).toBe('inputs[1]');
      expect(fake.runs).toHaveLength(0);
    });

    it('several masks: one ranked list per mask, each from its own logits row', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const [masks] = await fillMask.fill(['Two masks: [MASK] and [MASK].'], { topK: 1 });
      expect(masks).toHaveLength(2);
      // ":" (1024) before the first mask, "and" (1998) before the second.
      expect(masks[0]).toEqual([{ score: expect.any(Number), token: 1024, token_str: ':', sequence: 'two masks : : and [MASK].' }]);
      expect(masks[1]).toEqual([{ score: expect.any(Number), token: 1998, token_str: 'and', sequence: 'two masks : [MASK] and and.' }]);
      expect([...fake.runs[0].positions]).toEqual([4, 6]);
    });

    it('batches inputs by length, pads them, asks for the mask positions only, and answers in input order', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend, batchSize: 2 });
      const inputs = ['a b c d e f [MASK]', 'x [MASK]', 'p q r s [MASK] [MASK]', 'hello [MASK]'];
      const results = await fillMask.fill(inputs, { topK: 1 });
      // The token before each mask wins: results map back to their inputs.
      expect(results.map((masks) => masks.map((predictions) => predictions[0].token_str))).toEqual([
        ['f'],
        ['x'],
        ['s', '[MASK]'],
        ['hello'],
      ]);

      expect(fake.runs).toHaveLength(2);
      const [short, long] = fake.runs;
      // First the two shortest (inputs 1 and 3, 4 ids each, in input order), then input 2 (8 ids) and input 0 (9 ids).
      expect([short.batchSize, short.sequenceLength]).toEqual([2, 4]);
      expect([...short.inputIds]).toEqual([101, 1060, 103, 102, 101, 7592, 103, 102]);
      expect([...short.positions]).toEqual([2, 4 + 2]);
      expect([long.batchSize, long.sequenceLength]).toEqual([2, 9]);
      const a = [101, 1037, 1038, 1039, 1040, 1041, 1042, 103, 102];
      const p = [101, 1052, 1053, 1054, 1055, 103, 103, 102];
      expect([...long.inputIds]).toEqual([...p, 0, ...a]);
      expect([...long.attentionMask]).toEqual([...new Array(8).fill(1), 0, ...new Array(9).fill(1)]);
      expect([...long.tokenTypeIds]).toEqual(new Array(18).fill(0));
      expect([...long.positions]).toEqual([5, 6, 9 + 7]);
      for (const batch of fake.runs) for (const position of batch.positions) expect(batch.inputIds[position]).toBe(id.mask);
    });

    it('cuts passes by maxBatchTokens: short inputs share one, a long one runs alone, the answers are the same', async () => {
      const inputs = ['x [MASK]', 'a b c d e f g h i j k l m n o [MASK]', 'y [MASK]', 'z [MASK]', 'p q [MASK]'];
      const budgeted = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: budgeted.backend, maxBatchTokens: 16 });
      const results = await fillMask.fill(inputs, { topK: 1 });
      // 4 ids each for x, y, z (3 rows × 4 = 12), then p q (5 ids: 4 rows × 5 = 20 > 16), then the 18-id input alone.
      expect(budgeted.runs.map((batch) => [batch.batchSize, batch.sequenceLength])).toEqual([
        [3, 4],
        [1, 5],
        [1, 18],
      ]);
      const unbudgeted = fakeBackend();
      const onePass = await createFillMask({ model: folderFiles(), backend: unbudgeted.backend, maxBatchTokens: 10_000 });
      expect(await onePass.fill(inputs, { topK: 1 })).toEqual(results);
      expect(unbudgeted.runs).toHaveLength(1);
    });

    it("takes the backend's suggested token budget when the config gives none, and the config's over it", async () => {
      const inputs = ['x [MASK]', 'y [MASK]', 'z [MASK]', 'w [MASK]'];
      const suggested = fakeBackend({ preferredBatchTokens: 8 });
      await (await createFillMask({ model: folderFiles(), backend: suggested.backend })).fill(inputs);
      expect(suggested.runs.map((batch) => batch.batchSize)).toEqual([2, 2]);
      const overridden = fakeBackend({ preferredBatchTokens: 8 });
      await (await createFillMask({ model: folderFiles(), backend: overridden.backend, maxBatchTokens: 16 })).fill(inputs);
      expect(overridden.runs.map((batch) => batch.batchSize)).toEqual([4]);
      const nonsense = fakeBackend({ preferredBatchTokens: -1 });
      await (await createFillMask({ model: folderFiles(), backend: nonsense.backend })).fill(inputs);
      expect(nonsense.runs.map((batch) => batch.batchSize)).toEqual([4]);
    });

    it('calls onProgress once per batch, with completed increasing to the total', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend, batchSize: 2 });
      const progress: FillProgress[] = [];
      const inputs = ['one [MASK]', 'two [MASK]', 'three [MASK]', 'four [MASK]', 'five [MASK]'];
      const results = await fillMask.fill(inputs, { onProgress: (entry) => progress.push({ ...entry }) });
      expect(progress).toEqual([
        { completed: 2, total: 5 },
        { completed: 4, total: 5 },
        { completed: 5, total: 5 },
      ]);
      expect(fake.runs.map((batch) => batch.batchSize)).toEqual([2, 2, 1]);
      expect(results.map((masks) => masks[0][0].token_str)).toEqual(['one', 'two', 'three', 'four', 'five']);
    });

    it('an onProgress that is not a function is an InvalidArgumentError', async () => {
      const fillMask = await createFillMask({ model: folderFiles(), backend: fakeBackend().backend });
      const error = await rejection<InvalidArgumentError>(
        fillMask.fill('a [MASK]', { onProgress: 'yes' as unknown as () => void }),
        InvalidArgumentError.isInstance,
      );
      expect(error.argument).toBe('onProgress');
    });

    it('an aborted signal rejects with its reason before running anything', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const controller = new AbortController();
      const reason = new Error('stopped by the user');
      controller.abort(reason);
      await expect(fillMask.fill('a [MASK]', { signal: controller.signal })).rejects.toBe(reason);
      await expect(fillMask.fill(['a [MASK]', 'b [MASK]'], { signal: controller.signal })).rejects.toBe(reason);
      await expect(fillMask.fill([], { signal: controller.signal })).rejects.toBe(reason);
      expect(fake.runs).toHaveLength(0);
      const aborted = new AbortController();
      aborted.abort();
      await expect(fillMask.fill('a [MASK]', { signal: aborted.signal })).rejects.toMatchObject({ name: 'AbortError' });
    });

    it('a signal aborted during the call stops it between batches', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend, batchSize: 2 });
      const controller = new AbortController();
      const reason = new Error('enough');
      const call = fillMask.fill(['a [MASK]', 'b [MASK]', 'c [MASK]', 'd [MASK]', 'e [MASK]'], {
        signal: controller.signal,
        onProgress: () => controller.abort(reason),
      });
      await expect(call).rejects.toBe(reason);
      expect(fake.runs).toHaveLength(1);
    });
  });

  describe('fillSettled', () => {
    it('puts each bad input`s error in its slot and still fills the others', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const long = `${'hello '.repeat(600)}[MASK]`;
      const settled = await fillMask.fillSettled(['ok [MASK]', 'no mask', 42 as unknown as string, long, 'also [MASK] fine'], { topK: 1 });
      expect(settled.map((entry) => entry.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'rejected', 'fulfilled']);
      const reasons = settled.map((entry) => (entry.status === 'rejected' ? entry.reason : undefined));
      expect(MissingMaskError.isInstance(reasons[1])).toBe(true);
      expect((reasons[1] as MissingMaskError).inputIndex).toBe(1);
      expect(InvalidArgumentError.isInstance(reasons[2])).toBe(true);
      expect((reasons[2] as InvalidArgumentError).argument).toBe('inputs[2]');
      expect(InputTooLongError.isInstance(reasons[3])).toBe(true);
      expect((reasons[3] as InputTooLongError).inputIndex).toBe(3);
      const values = settled.map((entry) => (entry.status === 'fulfilled' ? entry.value[0][0].token_str : undefined));
      expect(values).toEqual(['ok', undefined, undefined, undefined, 'also']);
      // Only the two good inputs reached the model.
      expect(fake.runs.reduce((rows, batch) => rows + batch.batchSize, 0)).toBe(2);
    });

    it('all bad inputs: every slot rejected, the model never runs', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const settled = await fillMask.fillSettled(['none', 'neither']);
      expect(settled.map((entry) => entry.status)).toEqual(['rejected', 'rejected']);
      expect(fake.runs).toHaveLength(0);
      expect(await fillMask.fillSettled([])).toEqual([]);
    });

    it('a non-array is an InvalidArgumentError', async () => {
      const fillMask = await createFillMask({ model: folderFiles(), backend: fakeBackend().backend });
      await rejection(fillMask.fillSettled('a [MASK]' as unknown as string[]), InvalidArgumentError.isInstance);
    });
  });

  describe('backend failures', () => {
    it('the wrong number of logits is an InferenceError', async () => {
      const fake = fakeBackend({ run: async (batch, size) => ({ logits: new Float32Array(batch.positions.length * size - 1) }) });
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const error = await rejection<InferenceError>(fillMask.fill('a [MASK]'), InferenceError.isInstance);
      expect(error.backend).toBe('fake');
      expect(error.message).toBe('fake backend: expected 1 × 30522 logits, received 30521 values.');
    });

    it('logits that are not a Float32Array are an InferenceError', async () => {
      const fake = fakeBackend({
        run: async (batch, size) => ({ logits: new Float64Array(batch.positions.length * size) as unknown as Float32Array }),
      });
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const error = await rejection<InferenceError>(fillMask.fill('a [MASK]'), InferenceError.isInstance);
      expect(error.message).toBe('fake backend: expected 1 × 30522 logits, received object.');
    });

    it('a plain Error thrown by run becomes an InferenceError with it as cause', async () => {
      const cause = new Error('out of memory');
      const fake = fakeBackend({
        run: async () => {
          throw cause;
        },
      });
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      const error = await rejection<InferenceError>(fillMask.fill('a [MASK]'), InferenceError.isInstance);
      expect(error.cause).toBe(cause);
      expect(error.message).toBe('fake backend: the model failed to run: out of memory');
      const settled = rejection<InferenceError>(fillMask.fillSettled(['a [MASK]']), InferenceError.isInstance);
      expect((await settled).cause).toBe(cause);
    });

    it('a fillmask error thrown by run passes through unchanged', async () => {
      const disposed = new DisposedError('The onnx session');
      const fake = fakeBackend({
        run: async () => {
          throw disposed;
        },
      });
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      await expect(fillMask.fill('a [MASK]')).rejects.toBe(disposed);
    });
  });

  describe('dispose', () => {
    it('frees the model once; every call after it is a DisposedError', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend });
      await fillMask.dispose();
      await fillMask.dispose();
      expect(fake.disposals()).toBe(1);
      const error = await rejection<DisposedError>(fillMask.fill('a [MASK]'), DisposedError.isInstance);
      expect(FillMaskError.isInstance(error)).toBe(true);
      expect(error.message).toBe('This fill-mask object was disposed; create a new one to run more calls.');
      await rejection(fillMask.fill(['a [MASK]']), DisposedError.isInstance);
      await rejection(fillMask.fillSettled(['a [MASK]']), DisposedError.isInstance);
      expect(fake.runs).toHaveLength(0);
    });

    it('a dispose during a multi-batch call stops it before the next batch', async () => {
      const fake = fakeBackend();
      const fillMask = await createFillMask({ model: folderFiles(), backend: fake.backend, batchSize: 1 });
      const call = fillMask.fill(['a [MASK]', 'b [MASK]', 'c [MASK]'], { onProgress: () => void fillMask.dispose() });
      await rejection(call, DisposedError.isInstance);
      expect(fake.runs).toHaveLength(1);
    });
  });

  describe('warnings', () => {
    it('go to onWarning', async () => {
      const warnings: FillMaskWarning[] = [];
      const fillMask = await createFillMask({
        model: folderFiles(),
        backend: fakeBackend().backend,
        onWarning: (warning) => warnings.push(warning),
      });
      const [predictions] = await fillMask.fill('The capital of France is [MASK].', { targets: ['Paris'] });
      expect(predictions.map((prediction) => prediction.token)).toEqual([id.paris]);
      expect(warnings).toEqual([expect.objectContaining({ code: 'target-replaced', target: 'Paris' })]);
    });

    it('go to console.warn by default', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const fillMask = await createFillMask({ model: folderFiles(), backend: fakeBackend().backend });
      await fillMask.fill('The capital of France is [MASK].', { targets: ['Paris'] });
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toBe(
        '[fillmask] Target "Paris" is not in the model\'s vocabulary; it is replaced by its first sub-token "paris".',
      );
    });

    it('are silenced by an onWarning that does nothing', async () => {
      const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
      const fillMask = await createFillMask({ model: folderFiles(), backend: fakeBackend().backend, onWarning: () => {} });
      const [predictions] = await fillMask.fill('The capital of France is [MASK].', { targets: ['Paris'] });
      expect(predictions.map((prediction) => prediction.token)).toEqual([id.paris]);
      expect(warn).not.toHaveBeenCalled();
    });
  });
});
