import { InvalidArgumentError, InvalidModelFileError, ModelFileNotFoundError } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { float32Of } from './float32-of.js';
import { expectedWeights, fixtureModelFiles, memoryModelFiles } from './model-files.test-helper.js';
import { readModelWeights } from './read-model-weights.js';

const expected = await expectedWeights();
const folders = Object.keys(expected.folders);

describe('readModelWeights on the files real torch and safetensors wrote', () => {
  it('has a fixture for every format', () => {
    expect(folders.sort()).toEqual([
      'safetensors',
      'sharded-bin',
      'sharded-safetensors',
      'torch-legacy',
      'torch-zip',
      'torch-zip-protocol-4',
    ]);
  });

  describe.each(folders)('%s', (folder) => {
    const { file, order } = expected.folders[folder];

    it('reads every tensor: name (renamed), dtype, shape and values, in file order', async () => {
      const weights = await readModelWeights(await fixtureModelFiles(folder), file);
      expect(weights.names()).toEqual(order);
      for (const tensor of expected.tensors) {
        const read = weights.get(tensor.name);
        expect(read, tensor.name).toBeDefined();
        expect(read?.name).toBe(tensor.name);
        expect(read?.dtype, tensor.name).toBe(tensor.dtype);
        expect(read?.shape, tensor.name).toEqual(tensor.shape);
        expect([...float32Of(read!)], tensor.name).toEqual(tensor.values.map(Math.fround));
      }
      expect(weights.byteLength).toBe(expected.tensors.reduce((total, tensor) => total + weights.get(tensor.name)!.bytes.byteLength, 0));
    });

    it('renames LayerNorm.gamma/beta and bare gamma/beta the way transformers does', async () => {
      const weights = await readModelWeights(await fixtureModelFiles(folder), file);
      for (const name of ['embeddings.LayerNorm.weight', 'embeddings.LayerNorm.bias', 'encoder.layer_scale.weight', 'pooler.bias']) {
        expect(weights.get(name), name).toBeDefined();
      }
      expect(weights.names().filter((name) => /gamma|beta/.test(name))).toEqual([]);
    });
  });

  it.each(['torch-zip', 'torch-zip-protocol-4', 'torch-legacy'])(
    '%s: tied weights share one storage, contiguous views of it are not copied',
    async (folder) => {
      const files = await fixtureModelFiles(folder);
      const file = await files.read('pytorch_model.bin');
      const weights = await readModelWeights(files, 'pytorch_model.bin');
      const embeddings = weights.get('embeddings.word_embeddings.weight')!;
      const decoder = weights.get('lm_head.decoder.weight')!;
      expect(decoder.bytes.buffer).toBe(file.buffer);
      expect(decoder.bytes.byteOffset).toBe(embeddings.bytes.byteOffset);
      expect(decoder.bytes.byteLength).toBe(embeddings.bytes.byteLength);
      // A row of the dense matrix (storage offset 4) is a view 16 bytes into the matrix's storage...
      const dense = weights.get('encoder.dense.weight')!;
      const row = weights.get('encoder.dense_row.weight')!;
      expect(row.bytes.buffer).toBe(file.buffer);
      expect(row.bytes.byteOffset).toBe(dense.bytes.byteOffset + 16);
      // ...while its transpose and its strided slice are copies in row-major order.
      expect(weights.get('encoder.dense_transposed.weight')!.bytes.buffer).not.toBe(file.buffer);
      expect(weights.get('encoder.dense_strided.weight')!.bytes.buffer).not.toBe(file.buffer);
    },
  );

  it('reads each shard once', async () => {
    const files = await fixtureModelFiles('sharded-bin');
    const reads: string[] = [];
    const counting = {
      ...files,
      read: (path: string) => {
        reads.push(path);
        return files.read(path);
      },
    };
    await readModelWeights(counting, 'pytorch_model.bin.index.json');
    expect(reads).toEqual(['pytorch_model.bin.index.json', 'pytorch_model-00001-of-00002.bin', 'pytorch_model-00002-of-00002.bin']);
  });

  it('reads shards relative to the folder of the index', async () => {
    const files = await fixtureModelFiles('sharded-safetensors');
    const nested = memoryModelFiles(
      Object.fromEntries(
        await Promise.all(
          ['model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors'].map(async (path) => [
            `weights/${path}`,
            await files.read(path),
          ]),
        ),
      ),
    );
    const weights = await readModelWeights(nested, 'weights/model.safetensors.index.json');
    expect(weights.names()).toEqual(expected.folders['sharded-safetensors'].order);
  });
});

describe('readModelWeights refuses what it should', () => {
  const encode = (value: unknown) => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

  async function refusal(files: Record<string, Uint8Array>, file: string): Promise<InvalidModelFileError> {
    const error = await readModelWeights(memoryModelFiles(files), file).then(
      () => undefined,
      (reason: unknown) => reason,
    );
    if (!InvalidModelFileError.isInstance(error)) throw error ?? new Error('expected a refusal');
    expect(error.model).toBe('memory:test-model');
    return error;
  }

  it.each([
    '../secrets.safetensors',
    '/etc/passwd',
    'a/../../b.safetensors',
    'C:\\model.safetensors',
    'https://example.com/x.safetensors',
    '',
  ])('refuses a shard path that leaves the model folder: %j', async (shard) => {
    const error = await refusal({ 'model.safetensors.index.json': encode({ weight_map: { a: shard } }) }, 'model.safetensors.index.json');
    expect(error.file).toBe('model.safetensors.index.json');
    expect(error.message).toContain('not a relative file path');
  });

  it('refuses an index that is not JSON or has no weight_map', async () => {
    expect(
      (await refusal({ 'pytorch_model.bin.index.json': encode('{"weight_map": ') }, 'pytorch_model.bin.index.json')).message,
    ).toContain('not UTF-8 JSON');
    expect((await refusal({ 'pytorch_model.bin.index.json': encode({ metadata: {} }) }, 'pytorch_model.bin.index.json')).message).toContain(
      'no "weight_map"',
    );
  });

  it('refuses an index that puts a tensor in a shard that lacks it', async () => {
    const files = await fixtureModelFiles('sharded-safetensors');
    const shard = await files.read('model-00002-of-00002.safetensors');
    const error = await refusal(
      {
        'model.safetensors.index.json': encode({ weight_map: { 'extra.f64': 'shard.safetensors', 'not.there': 'shard.safetensors' } }),
        'shard.safetensors': shard,
      },
      'model.safetensors.index.json',
    );
    expect(error.message).toContain('"not.there" in shard.safetensors');
  });

  it('names the shard when a shard is malformed, and rejects a missing shard with ModelFileNotFoundError', async () => {
    const index = encode({ weight_map: { a: 'model-1.safetensors' } });
    const error = await refusal(
      { 'model.safetensors.index.json': index, 'model-1.safetensors': new Uint8Array(3) },
      'model.safetensors.index.json',
    );
    expect(error.file).toBe('model-1.safetensors');
    const missing = await readModelWeights(
      memoryModelFiles({ 'model.safetensors.index.json': index }),
      'model.safetensors.index.json',
    ).catch((reason: unknown) => reason);
    expect(ModelFileNotFoundError.isInstance(missing)).toBe(true);
  });

  it('rejects a file name that is no weights file with InvalidArgumentError', async () => {
    const error = await readModelWeights(memoryModelFiles({}), 'model.onnx').catch((reason: unknown) => reason);
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
  });
});
