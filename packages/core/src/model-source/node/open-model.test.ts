import { symlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { bertFolder, bertId, useHubSandbox } from './hub-sandbox.test-helper.js';
import { openModel } from './open-model.js';
import { rejection } from './rejection.test-helper.js';

const sandbox = useHubSandbox();

describe('openModel', () => {
  it('opens an existing folder given as an absolute, relative, ./ or file:// path', async () => {
    const relative = path.relative(process.cwd(), bertFolder);
    for (const model of [bertFolder, relative, `./${relative}`, pathToFileURL(bertFolder).href]) {
      const files = await openModel(model);
      expect(files.location).toBe(bertFolder);
      expect(await files.exists('tokenizer.json')).toBe(true);
    }
  });

  it('expands ~/ to the home folder', async () => {
    const files = await openModel(`~/${path.relative(homedir(), bertFolder)}`);
    expect(files.location).toBe(bertFolder);
  });

  it('prefers an existing folder over a Hub id of the same name', async () => {
    const root = await sandbox.tempDir();
    await symlink(bertFolder, path.join(root, 'tiny-bert'));
    const previous = process.cwd();
    process.chdir(root);
    try {
      expect((await openModel('tiny-bert')).location).toBe(path.join(root, 'tiny-bert'));
    } finally {
      process.chdir(previous);
    }
  });

  it('says the folder does not exist for a path that points nowhere', async () => {
    for (const model of [
      './no-such-model',
      '../no-such-model',
      '/no-such-model/anywhere',
      '~/no-such-fillmask-model',
      'file:///no-such-model/anywhere',
    ]) {
      const error = await rejection(openModel(model));
      expect(InvalidArgumentError.isInstance(error)).toBe(true);
      expect((error as Error).message).toMatch(/existing model folder \(nothing exists at .*no-such/);
    }
  });

  it('rejects a path to a file, and strings that are neither a path nor a Hub id', async () => {
    const file = path.join(bertFolder, 'config.json');
    expect(((await rejection(openModel(file))) as Error).message).toContain(`${file} is not a folder`);
    for (const model of ['', 'not a model id', 'a/b/c']) {
      expect(InvalidArgumentError.isInstance(await rejection(openModel(model)))).toBe(true);
    }
  });

  it('opens anything else as a Hub model, downloading on first read', async () => {
    const hub = await sandbox.startHub();
    const cacheDir = await sandbox.tempDir();
    const files = await openModel(bertId, { hubUrl: hub.url, cacheDir });
    expect(files.location).toBe(`hub:${bertId}@main`);
    expect(hub.requests).toHaveLength(0);
    expect(new TextDecoder().decode(await files.read('config.json'))).toContain('"model_type"');
    expect(hub.requests.length).toBeGreaterThan(0);
  });
});
