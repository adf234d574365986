import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fixtureModelPath } from '@fillmask/fixtures';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import { openLocalFolder } from './local-folder-model-files.js';
import { rejection } from './rejection.test-helper.js';

const folder = fixtureModelPath('tiny-bert-uncased');

describe('openLocalFolder', () => {
  it('reads files by their relative path, as plain Uint8Arrays', async () => {
    const model = openLocalFolder(folder);
    expect(model.location).toBe(path.resolve(folder));
    const bytes = await model.read('onnx/model_quantized.onnx');
    expect(Object.getPrototypeOf(bytes)).toBe(Uint8Array.prototype);
    expect(Buffer.from(bytes).equals(await readFile(path.join(folder, 'onnx', 'model_quantized.onnx')))).toBe(true);
  });

  it('makes a relative folder absolute', () => {
    const relative = path.relative(process.cwd(), folder);
    expect(openLocalFolder(relative).location).toBe(path.resolve(folder));
  });

  it('tells which files exist', async () => {
    const model = openLocalFolder(folder);
    expect(await model.exists('config.json')).toBe(true);
    expect(await model.exists('onnx/model.onnx')).toBe(true);
    expect(await model.exists('onnx/model_fp16.onnx')).toBe(false);
    expect(await model.exists('onnx')).toBe(false);
    expect(await model.exists('config.json/inner')).toBe(false);
  });

  it('gives the absolute local path of a file', async () => {
    expect(await openLocalFolder(folder).localPath!('onnx/model.onnx')).toBe(path.join(path.resolve(folder), 'onnx', 'model.onnx'));
  });

  it('rejects a missing file with ModelFileNotFoundError', async () => {
    const model = openLocalFolder(folder);
    // Each attempt starts only when the previous one is checked: a rejection nobody awaits yet is unhandled.
    for (const attempt of [() => model.read('vocab.txt'), () => model.localPath!('vocab.txt'), () => model.read('onnx')]) {
      const error = await rejection(attempt());
      expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
      expect(error).toMatchObject({ model: path.resolve(folder) });
    }
  });

  it('says so when the folder itself does not exist', async () => {
    const missing = path.join(folder, 'no-such-folder');
    const error = await rejection(openLocalFolder(missing).read('config.json'));
    expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
    expect((error as Error).message).toContain(`The folder ${missing} does not exist.`);
    expect(await openLocalFolder(missing).exists('config.json')).toBe(false);
  });

  it('refuses paths that leave the folder', async () => {
    const model = openLocalFolder(folder);
    for (const file of ['../tiny-roberta/config.json', '/etc/hostname', 'onnx/../config.json', '']) {
      expect(InvalidArgumentError.isInstance(await rejection(model.read(file)))).toBe(true);
      expect(InvalidArgumentError.isInstance(await rejection(model.exists(file)))).toBe(true);
    }
  });
});
