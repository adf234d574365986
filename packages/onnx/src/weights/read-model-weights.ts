import { InvalidArgumentError, type ModelFiles } from '@fillmask/core';
import type { ModelWeights } from './model-weights.js';
import { readSafetensors } from './read-safetensors.js';
import { readShardedWeights } from './read-sharded-weights.js';
import { readPytorchBin } from './torch/read-pytorch-bin.js';

/**
 * The weights of a Hub checkpoint, by its file name: `model.safetensors`, `pytorch_model.bin` (zip or
 * legacy torch format, told apart by their magic bytes), or the `.index.json` of either when sharded
 * (any `*.safetensors`, `*.bin` and `*.{safetensors,bin}.index.json` path is read the same way).
 * Tensors are views into the bytes `files.read` returned wherever the file holds them contiguously.
 * Malformed or unsafe files reject with InvalidModelFileError; other names with InvalidArgumentError.
 */
export async function readModelWeights(files: ModelFiles, file: string): Promise<ModelWeights> {
  const where = { model: files.location, file };
  if (file.endsWith('.safetensors.index.json')) return readShardedWeights(files, file, readSafetensors);
  if (file.endsWith('.bin.index.json')) return readShardedWeights(files, file, readPytorchBin);
  if (file.endsWith('.safetensors')) return readSafetensors(await files.read(file), where);
  if (file.endsWith('.bin')) return readPytorchBin(await files.read(file), where);
  throw new InvalidArgumentError({
    argument: 'file',
    value: file,
    expected: 'a weights file: model.safetensors, model.safetensors.index.json, pytorch_model.bin or pytorch_model.bin.index.json',
  });
}
