import { createHash } from 'node:crypto';
import { lstat, mkdir, readdir, readFile, readlink, realpath, stat, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HubServer, HubServerOptions, RecordedRequest } from '@fillmask/test-hub-server';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import type { DownloadProgress } from '../download-progress.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { openHubModel } from './hub-model-files.js';
import { bertFolder, bertId, robertaFolder, robertaId, useHubSandbox } from './hub-sandbox.test-helper.js';
import { rejection } from './rejection.test-helper.js';

const sandbox = useHubSandbox();
/** Retries as in production, without the production waits. */
const fastRetry = { baseDelayMs: 5, maxDelayMs: 20 };
const repoFolderName = 'models--fillmask-test--tiny-bert-uncased';

/** A test Hub, an empty cache, and an opener wired to both with an isolated environment. */
async function setup(serverOptions: Partial<HubServerOptions> = {}) {
  const hub = await sandbox.startHub(serverOptions);
  const root = await sandbox.tempDir();
  const cacheDir = path.join(root, 'hub');
  // HF_HOME in the sandbox too, so that no real token file of this machine is picked up.
  const env = { HF_HUB_CACHE: cacheDir, HF_HOME: path.join(root, 'hf-home') };
  const open = (modelId = bertId, options: ModelSourceOptions = {}, extraEnv: NodeJS.ProcessEnv = {}) =>
    openHubModel(modelId, { hubUrl: hub.url, retry: fastRetry, onSourceWarning: () => {}, ...options }, { ...env, ...extraEnv });
  return { hub, root, cacheDir, env, open, repoFolder: path.join(cacheDir, repoFolderName) };
}

function source(folder: string, file: string): Promise<Buffer> {
  return readFile(path.join(folder, file));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function gitBlobSha1(bytes: Uint8Array): string {
  return createHash('sha1').update(`blob ${bytes.byteLength}\0`).update(bytes).digest('hex');
}

function count(hub: HubServer, filter: Partial<Pick<RecordedRequest, 'server' | 'method'>> & { file?: string } = {}): number {
  return hub.requests.filter(
    (request) =>
      (filter.server === undefined || request.server === filter.server) &&
      (filter.method === undefined || request.method === filter.method) &&
      (filter.file === undefined || request.path.endsWith(`/${filter.file}`)),
  ).length;
}

/** Every file under a folder, relative, `/`-separated (symlinks listed, not followed). */
async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => !entry.isDirectory())
    .map((entry) => path.relative(folder, path.join(entry.parentPath, entry.name)).split(path.sep).join('/'))
    .sort();
}

describe('openHubModel: first download', () => {
  it('stores files in the huggingface_hub cache layout, byte-identical to the source', async () => {
    const { hub, open, repoFolder } = await setup();
    const model = open();
    const commit = hub.commitOf(bertId);
    expect(model.location).toBe(`hub:${bertId}@main`);

    for (const file of ['config.json', 'tokenizer.json', 'onnx/model.onnx']) {
      expect(Buffer.from(await model.read(file)).equals(await source(bertFolder, file))).toBe(true);
    }

    expect((await readFile(path.join(repoFolder, 'refs', 'main'), 'utf8')).trim()).toBe(commit);
    const config = await source(bertFolder, 'config.json');
    const weights = await source(bertFolder, 'onnx/model.onnx');
    // Small files are named by their git blob id (ETag), LFS files by their SHA-256 (X-Linked-Etag), not the CDN's ETag.
    expect(await listFiles(path.join(repoFolder, 'blobs'))).toEqual(
      [gitBlobSha1(config), sha256(weights), gitBlobSha1(await source(bertFolder, 'tokenizer.json'))].sort(),
    );

    const snapshot = path.join(repoFolder, 'snapshots', commit);
    expect(await listFiles(snapshot)).toEqual(['config.json', 'onnx/model.onnx', 'tokenizer.json']);
    const weightsLink = path.join(snapshot, 'onnx', 'model.onnx');
    expect((await lstat(weightsLink)).isSymbolicLink()).toBe(true);
    // Relative, like huggingface_hub's links, so that the cache can be moved.
    expect(await readlink(weightsLink)).toBe(path.join('..', '..', '..', 'blobs', sha256(weights)));
    expect(await realpath(weightsLink)).toBe(await realpath(path.join(repoFolder, 'blobs', sha256(weights))));
    expect(await model.localPath!('onnx/model.onnx')).toBe(weightsLink);
  });

  it('makes one HEAD for the revision, then GETs each file of the pinned commit', async () => {
    const { hub, open } = await setup();
    const model = open();
    await model.read('config.json');
    await model.read('tokenizer.json');
    const commit = hub.commitOf(bertId);
    expect(hub.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      `HEAD /${bertId}/resolve/main/config.json`,
      `GET /${bertId}/resolve/${commit}/config.json`,
      `GET /${bertId}/resolve/${commit}/tokenizer.json`,
    ]);
  });

  it('works with a model id without an organisation', async () => {
    const { open, cacheDir } = await setup();
    const bytes = await open(robertaId).read('tokenizer_config.json');
    expect(Buffer.from(bytes).equals(await source(robertaFolder, 'tokenizer_config.json'))).toBe(true);
    expect(await listFiles(path.join(cacheDir, 'models--tiny-roberta', 'refs'))).toEqual(['main']);
  });

  it('follows a relative redirect of a renamed repository', async () => {
    const { hub, open } = await setup({ movedRepos: { 'old-name/tiny-bert': bertId } });
    const bytes = await open('old-name/tiny-bert').read('onnx/model.onnx');
    expect(sha256(bytes)).toBe(sha256(await source(bertFolder, 'onnx/model.onnx')));
    expect(hub.requests.some((request) => request.status === 307)).toBe(true);
  });
});

describe('openHubModel: cached files', () => {
  it('reads a commit-hash revision from the cache with no request at all', async () => {
    const { hub, open } = await setup();
    const commit = hub.commitOf(bertId);
    await open(bertId, { revision: commit }).read('config.json');
    await open(bertId, { revision: commit }).read('onnx/model.onnx');
    const before = hub.requests.length;

    const again = open(bertId, { revision: commit });
    expect(Buffer.from(await again.read('config.json')).equals(await source(bertFolder, 'config.json'))).toBe(true);
    expect(sha256(await again.read('onnx/model.onnx'))).toBe(sha256(await source(bertFolder, 'onnx/model.onnx')));
    expect(await again.exists('config.json')).toBe(true);
    expect(hub.requests.length).toBe(before);
  });

  it('revalidates `main` with exactly one HEAD per opened model, and no GET', async () => {
    const { hub, open } = await setup();
    const files = ['config.json', 'tokenizer.json', 'onnx/model.onnx'];
    const first = open();
    for (const file of files) await first.read(file);
    const before = hub.requests.length;

    const progress: DownloadProgress[] = [];
    const second = open(bertId, { onProgress: (report) => progress.push(report) });
    for (const file of files) expect(Buffer.from(await second.read(file)).equals(await source(bertFolder, file))).toBe(true);

    const later = hub.requests.slice(before);
    expect(later.map((request) => `${request.server} ${request.method}`)).toEqual(['hub HEAD']);
    expect(progress.map((report) => report.status)).toEqual(['cached', 'cached', 'cached']);
  });

  it('links a blob already cached under another commit instead of downloading it again', async () => {
    const { hub, open, repoFolder } = await setup({ repos: { [bertId]: { folder: bertFolder, revisions: { 'same-files': bertFolder } } } });
    await open().read('onnx/model.onnx');
    const before = hub.requests.length;

    const bytes = await open(bertId, { revision: 'same-files' }).read('onnx/model.onnx');
    expect(sha256(bytes)).toBe(sha256(await source(bertFolder, 'onnx/model.onnx')));
    expect(hub.requests.slice(before).map((request) => request.method)).toEqual(['HEAD']);
    expect(await listFiles(path.join(repoFolder, 'snapshots'))).toEqual(
      [`${hub.commitOf(bertId)}/onnx/model.onnx`, `${hub.commitOf(bertId, 'same-files')}/onnx/model.onnx`].sort(),
    );
  });

  it('falls back to the cached snapshot of the revision when the Hub is unreachable', async () => {
    const { hub, open } = await setup();
    await open().read('config.json');
    await hub.close();

    const model = open();
    expect(Buffer.from(await model.read('config.json')).equals(await source(bertFolder, 'config.json'))).toBe(true);
    expect(await model.exists('config.json')).toBe(true);
    const error = await rejection(model.read('tokenizer.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect((error as HubRequestError).status).toBeUndefined();
    expect((error as HubRequestError).cause).toBeDefined();
  });
});

describe('openHubModel: offline', () => {
  it('makes no request, reads cached files of `main` through refs/main, and names the cache for missing ones', async () => {
    const { hub, open, cacheDir } = await setup();
    await open().read('config.json');
    const before = hub.requests.length;

    for (const model of [
      open(bertId, { offline: true }),
      open(bertId, {}, { HF_HUB_OFFLINE: '1' }),
      open(bertId, {}, { HF_HUB_OFFLINE: 'true' }),
    ]) {
      expect(Buffer.from(await model.read('config.json')).equals(await source(bertFolder, 'config.json'))).toBe(true);
      expect(await model.exists('config.json')).toBe(true);
      expect(await model.exists('tokenizer.json')).toBe(false);
      const error = await rejection(model.read('tokenizer.json'));
      expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
      expect((error as Error).message).toContain(cacheDir);
      expect((error as Error).message).toMatch(/offline mode is on/);
    }
    expect(hub.requests.length).toBe(before);
  });

  it('fails with ModelFileNotFoundError for a model never downloaded, without a request', async () => {
    const { hub, open } = await setup();
    const error = await rejection(open(robertaId, { offline: true }).read('config.json'));
    expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
    expect(hub.requests).toHaveLength(0);
  });

  it('lets `offline: false` override HF_HUB_OFFLINE', async () => {
    const { hub, open } = await setup();
    await open(bertId, { offline: false }, { HF_HUB_OFFLINE: '1' }).read('config.json');
    expect(count(hub, { method: 'GET' })).toBe(1);
  });
});

describe('openHubModel: environment', () => {
  it('puts the cache in $HF_HOME/hub, and $HF_HUB_CACHE wins over $HF_HOME', async () => {
    const hub = await sandbox.startHub();
    const root = await sandbox.tempDir();
    const home = path.join(root, 'home');
    await openHubModel(bertId, { hubUrl: hub.url }, { HF_HOME: home }).read('config.json');
    expect(await listFiles(path.join(home, 'hub', repoFolderName, 'snapshots'))).toEqual([`${hub.commitOf(bertId)}/config.json`]);

    const cache = path.join(root, 'cache');
    await openHubModel(bertId, { hubUrl: hub.url }, { HF_HOME: home, HF_HUB_CACHE: cache }).read('tokenizer_config.json');
    expect(await listFiles(path.join(cache, repoFolderName, 'snapshots'))).toEqual([`${hub.commitOf(bertId)}/tokenizer_config.json`]);
  });

  it('uses $HF_ENDPOINT as the Hub URL', async () => {
    const { hub, env } = await setup();
    await openHubModel(bertId, {}, { ...env, HF_ENDPOINT: hub.url }).read('config.json');
    expect(count(hub, { method: 'GET' })).toBe(1);
  });

  it('sends $HF_TOKEN, or the token file that `hf auth login` writes in $HF_HOME', async () => {
    const { open, env } = await setup({ repos: { [bertId]: { folder: bertFolder, gated: true } }, token: 'hf_envtoken' });
    await open(bertId, {}, { HF_TOKEN: 'hf_envtoken' }).read('config.json');

    await mkdir(env.HF_HOME, { recursive: true });
    await writeFile(path.join(env.HF_HOME, 'token'), 'hf_envtoken\n');
    await open(bertId).read('tokenizer_config.json');
  });
});

describe('openHubModel: revisions', () => {
  it('reads each revision with its own content, by name and by commit', async () => {
    const { hub, open, repoFolder } = await setup({
      repos: { [bertId]: { folder: bertFolder, revisions: { v2: robertaFolder, 'refs/pr/1': robertaFolder } } },
    });
    const main = await open().read('config.json');
    const v2 = await open(bertId, { revision: 'v2' }).read('config.json');
    const pullRequest = await open(bertId, { revision: 'refs/pr/1' }).read('config.json');
    const byCommit = await open(bertId, { revision: hub.commitOf(bertId, 'v2') }).read('config.json');

    expect(Buffer.from(main).equals(await source(bertFolder, 'config.json'))).toBe(true);
    for (const bytes of [v2, pullRequest, byCommit])
      expect(Buffer.from(bytes).equals(await source(robertaFolder, 'config.json'))).toBe(true);
    expect(await listFiles(path.join(repoFolder, 'refs'))).toEqual(['main', 'refs/pr/1', 'v2']);
    expect((await readFile(path.join(repoFolder, 'refs', 'v2'), 'utf8')).trim()).toBe(hub.commitOf(bertId, 'v2'));
    // A slash in a revision is one URL segment, as the Hub expects.
    expect(hub.requests.some((request) => request.path === `/${bertId}/resolve/refs%2Fpr%2F1/config.json`)).toBe(true);
  });

  it('rejects a missing revision with HubRequestError naming the model and the revision', async () => {
    const { open } = await setup();
    const error = await rejection(open(bertId, { revision: 'no-such-branch' }).read('config.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, errorCode: 'RevisionNotFound' });
    expect((error as Error).message).toContain(bertId);
    expect((error as Error).message).toContain('no-such-branch');
  });
});

describe('openHubModel: tokens and redirects', () => {
  it('sends the token to the Hub origin but never to the CDN it redirects to', async () => {
    const { hub, open } = await setup({ token: 'hf_secret' });
    const bytes = await open(bertId, { accessToken: 'hf_secret' }).read('onnx/model.onnx');
    expect(sha256(bytes)).toBe(sha256(await source(bertFolder, 'onnx/model.onnx')));

    const hubRequests = hub.requests.filter((request) => request.server === 'hub');
    const cdnRequests = hub.requests.filter((request) => request.server === 'cdn');
    expect(hubRequests.map((request) => `${request.method} ${request.status} ${request.authorization}`)).toEqual([
      'HEAD 302 true',
      'GET 302 true',
    ]);
    expect(cdnRequests.map((request) => `${request.method} ${request.status} ${request.authorization}`)).toEqual(['GET 200 false']);
    expect(new URL(hub.cdnUrl).host).not.toBe(new URL(hub.url).host);
    expect(cdnRequests[0].host).toBe(new URL(hub.cdnUrl).host);
  });

  it('rejects a gated model without a token with a 401 that says to set HF_TOKEN, and reads it with one', async () => {
    const { open } = await setup({ repos: { [bertId]: { folder: bertFolder, gated: true } }, token: 'hf_granted' });
    const error = await rejection(open().read('config.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, errorCode: 'GatedRepo' });
    expect((error as HubRequestError).requestId).toMatch(/^Root=/);
    expect((error as Error).message).toContain('HF_TOKEN');
    expect((error as Error).message).toMatch(/gated or private/);

    const bytes = await open(bertId, { accessToken: 'hf_granted' }).read('onnx/model.onnx');
    expect(sha256(bytes)).toBe(sha256(await source(bertFolder, 'onnx/model.onnx')));
  });

  it('says the token was refused, without ever writing the token in the error', async () => {
    const { open } = await setup({ repos: { [bertId]: { folder: bertFolder, gated: true } }, token: 'hf_granted' });
    const token = 'hf_wrongTOKEN1234567890';
    const error = await rejection(open(bertId, { accessToken: token }).read('config.json'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401 });
    expect((error as Error).message).toMatch(/refused the access token/);
    const everything = [String(error), (error as Error).stack, JSON.stringify(error), (error as HubRequestError).url].join('\n');
    expect(everything).not.toContain(token);
  });
});

describe('openHubModel: missing repositories and files', () => {
  it('rejects a missing repository: 404 RepoNotFound with a token, 401 without (as the Hub does)', async () => {
    const { open } = await setup({ token: 'hf_valid' });
    const withToken = await rejection(open('fillmask-test/no-such-model', { accessToken: 'hf_valid' }).read('config.json'));
    expect(HubRequestError.isInstance(withToken)).toBe(true);
    expect(withToken).toMatchObject({ status: 404, errorCode: 'RepoNotFound' });
    expect((withToken as Error).message).toContain('fillmask-test/no-such-model');
    expect((withToken as Error).message).toContain('"main"');

    const anonymous = await rejection(open('fillmask-test/no-such-model').read('config.json'));
    expect(anonymous).toMatchObject({ status: 401, errorCode: 'RepoNotFound' });
    expect((anonymous as Error).message).toMatch(/does not exist/);
  });

  it('rejects a missing file with ModelFileNotFoundError and remembers it in .no_exist like Python', async () => {
    const { hub, open, repoFolder } = await setup();
    const error = await rejection(open().read('onnx/model_fp16.onnx'));
    expect(ModelFileNotFoundError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ model: bertId, file: 'onnx/model_fp16.onnx' });
    const commit = hub.commitOf(bertId);
    expect(await listFiles(path.join(repoFolder, '.no_exist'))).toEqual([`${commit}/onnx/model_fp16.onnx`]);

    const before = hub.requests.length;
    const pinned = open(bertId, { revision: commit });
    expect(await pinned.exists('onnx/model_fp16.onnx')).toBe(false);
    expect(ModelFileNotFoundError.isInstance(await rejection(pinned.read('onnx/model_fp16.onnx')))).toBe(true);
    expect(hub.requests.length).toBe(before);
  });

  it('answers exists() with HEAD requests only, without following the CDN redirect', async () => {
    const { hub, open } = await setup();
    const model = open();
    expect(await model.exists('config.json')).toBe(true);
    expect(await model.exists('onnx/model.onnx')).toBe(true);
    expect(await model.exists('onnx/model_fp16.onnx')).toBe(false);
    expect(await model.exists('vocab.txt')).toBe(false);
    expect(count(hub, { method: 'GET' })).toBe(0);
    expect(count(hub, { server: 'cdn' })).toBe(0);
  });

  it('rejects invalid model ids, revisions and file paths with InvalidArgumentError', async () => {
    const { open } = await setup();
    for (const modelId of ['', 'a/b/c', '../etc', 'org/na me', 'org--x/name', '-name']) {
      expect(() => open(modelId)).toThrow(InvalidArgumentError);
    }
    expect(() => open(bertId, { revision: '../../outside' })).toThrow(InvalidArgumentError);
    for (const file of ['../config.json', '/etc/passwd', 'onnx//model.onnx', 'onnx\\model.onnx', '']) {
      expect(InvalidArgumentError.isInstance(await rejection(open().read(file)))).toBe(true);
    }
  });
});

describe('openHubModel: failed downloads', () => {
  for (const file of ['onnx/model.onnx', 'tokenizer.json']) {
    it(`caches nothing when the connection is cut before Content-Length bytes of ${file} arrived, and succeeds on the next read`, async () => {
      const { hub, open, repoFolder } = await setup({ faults: { cutBodyAfterBytes: 100_000, onlyFile: file } });
      // One attempt: the cut reaches the caller (retries resume it: see the resume tests).
      const model = open(bertId, { retry: { maxAttempts: 1 } });
      const error = await rejection(model.read(file));
      expect(HubRequestError.isInstance(error)).toBe(true);
      expect((error as HubRequestError).status).toBeUndefined();
      expect((error as Error).message).toMatch(/interrupted/);
      // Nothing under a blob name: only the bytes received, in huggingface_hub's `<etag>.incomplete`.
      const etag = file.endsWith('.onnx') ? sha256(await source(bertFolder, file)) : gitBlobSha1(await source(bertFolder, file));
      expect(await listFiles(path.join(repoFolder, 'blobs'))).toEqual([`${etag}.incomplete`]);
      expect(await listFiles(path.join(repoFolder, 'snapshots'))).toEqual([]);

      hub.setFaults({});
      expect(Buffer.from(await model.read(file)).equals(await source(bertFolder, file))).toBe(true);
      // Resumed where the cut left it.
      expect(hub.requests.at(-1)?.range).toBe('bytes=100000-');
      expect(Buffer.from(await open().read(file)).equals(await source(bertFolder, file))).toBe(true);
      expect(await listFiles(path.join(repoFolder, 'blobs'))).toEqual([etag]);
    });
  }

  it('rejects a body whose size differs from the announced one, and caches nothing', async () => {
    const { hub, open, repoFolder } = await setup({ faults: { truncateCdnBodyTo: 5000 } });
    const error = await rejection(open().read('onnx/model.onnx'));
    expect(HubRequestError.isInstance(error)).toBe(true);
    expect((error as Error).message).toMatch(/received 5000 bytes where X-Linked-Size announced \d+/);
    expect((error as HubRequestError).url).not.toContain('X-Amz-Signature');
    expect(await listFiles(path.join(repoFolder, 'blobs'))).toEqual([]);
    expect(await listFiles(path.join(repoFolder, 'snapshots'))).toEqual([]);
    hub.setFaults({});
    expect(sha256(await open().read('onnx/model.onnx'))).toBe(sha256(await source(bertFolder, 'onnx/model.onnx')));
  });

  it('removes stale temporary files left by a crashed download, but not fresh ones', async () => {
    const { open, repoFolder } = await setup();
    const blobs = path.join(repoFolder, 'blobs');
    await mkdir(blobs, { recursive: true });
    const stale = path.join(blobs, 'abc.incomplete.0123456789ab');
    const fresh = path.join(blobs, 'def.incomplete.ba9876543210');
    const pythonPartial = path.join(blobs, 'fed.incomplete');
    for (const leftover of [stale, fresh, pythonPartial]) await writeFile(leftover, 'partial');
    const twoHoursAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
    await utimes(stale, twoHoursAgo, twoHoursAgo);
    await utimes(pythonPartial, twoHoursAgo, twoHoursAgo);

    await open().read('config.json');
    const names = await readdir(blobs);
    expect(names).not.toContain(path.basename(stale));
    expect(names).toContain(path.basename(fresh));
    expect(names).toContain(path.basename(pythonPartial));
  });

  it('removes partial blobs (<etag>.incomplete) untouched for a week, and keeps younger ones to resume them', async () => {
    const { open, repoFolder } = await setup();
    const blobs = path.join(repoFolder, 'blobs');
    await mkdir(blobs, { recursive: true });
    const abandoned = path.join(blobs, `${'a'.repeat(64)}.incomplete`);
    const recent = path.join(blobs, `${'b'.repeat(64)}.incomplete`);
    for (const leftover of [abandoned, recent]) await writeFile(leftover, 'partial');
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 60 * 60 * 1000);
    await utimes(abandoned, eightDaysAgo, eightDaysAgo);
    await open().read('config.json');
    const names = await readdir(blobs);
    expect(names).not.toContain(path.basename(abandoned));
    expect(names).toContain(path.basename(recent));
  });
});

describe('openHubModel: concurrency and progress', () => {
  it('downloads a file once for concurrent reads, in one model object and across two', async () => {
    const { hub, open } = await setup({ faults: { delayMs: 20 } });
    const first = open();
    const second = open();
    const results = await Promise.all([
      first.read('onnx/model.onnx'),
      first.read('onnx/model.onnx'),
      second.read('onnx/model.onnx'),
      first.localPath!('onnx/model.onnx'),
    ]);
    const expected = sha256(await source(bertFolder, 'onnx/model.onnx'));
    for (const bytes of results.slice(0, 3)) expect(sha256(bytes as Uint8Array)).toBe(expected);
    expect(count(hub, { server: 'hub', method: 'GET' })).toBe(1);
    expect(count(hub, { server: 'cdn', method: 'GET' })).toBe(1);
  });

  it('reports increasing progress up to the file size, then done; cached on the next open', async () => {
    const { open } = await setup();
    const size = (await stat(path.join(bertFolder, 'onnx/model.onnx'))).size;
    const reports: DownloadProgress[] = [];
    await open(bertId, { onProgress: (report) => reports.push(report) }).read('onnx/model.onnx');

    const downloads = reports.filter((report) => report.status === 'download');
    expect(downloads[0]).toEqual({ file: 'onnx/model.onnx', status: 'download', loadedBytes: 0, totalBytes: size });
    expect(downloads.at(-1)).toEqual({ file: 'onnx/model.onnx', status: 'download', loadedBytes: size, totalBytes: size });
    for (let index = 1; index < downloads.length; index += 1)
      expect(downloads[index].loadedBytes).toBeGreaterThan(downloads[index - 1].loadedBytes);
    // Throttled: about one report per 64 KiB, not one per network chunk.
    expect(downloads.length).toBeLessThanOrEqual(Math.ceil(size / 65536) + 2);
    expect(reports.at(-1)).toEqual({ file: 'onnx/model.onnx', status: 'done', loadedBytes: size, totalBytes: size });

    const cached: DownloadProgress[] = [];
    await open(bertId, { onProgress: (report) => cached.push(report) }).read('onnx/model.onnx');
    expect(cached).toEqual([{ file: 'onnx/model.onnx', status: 'cached', loadedBytes: size, totalBytes: size }]);
  });
});
