import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHubServer, type HubServer } from './hub-server.js';

const weights = Buffer.alloc(300_000, 7);
const config = Buffer.from('{"model_type":"bert"}');

let folder: string;
let otherFolder: string;
let hub: HubServer;

beforeEach(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'test-hub-server-'));
  otherFolder = path.join(folder, 'v2');
  await mkdir(path.join(folder, 'onnx'), { recursive: true });
  await mkdir(otherFolder);
  await writeFile(path.join(folder, 'config.json'), config);
  await writeFile(path.join(folder, 'onnx', 'model.onnx'), weights);
  await writeFile(path.join(otherFolder, 'config.json'), '{"model_type":"roberta"}');
  hub = await startHubServer({
    repos: {
      'org/public': { folder, revisions: { v2: otherFolder } },
      'org/gated': { folder, gated: true, commit: 'a'.repeat(40) },
    },
    token: 'hf_good',
  });
});

afterEach(async () => {
  await hub.close();
  await rm(folder, { recursive: true, force: true });
});

function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { redirect: 'manual', ...init });
}

describe('startHubServer', () => {
  it('serves small files directly with the Hub headers', async () => {
    const response = await get(`${hub.url}/org/public/resolve/main/config.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-repo-commit')).toBe(hub.commitOf('org/public'));
    expect(response.headers.get('x-repo-commit')).toMatch(/^[0-9a-f]{40}$/);
    const gitBlobSha1 = createHash('sha1').update(`blob ${config.length}\0`).update(config).digest('hex');
    expect(response.headers.get('etag')).toBe(`"${gitBlobSha1}"`);
    expect(response.headers.get('content-length')).toBe(String(config.length));
    expect(response.headers.get('x-request-id')).toMatch(/^Root=1-/);
    expect(Buffer.from(await response.arrayBuffer()).equals(config)).toBe(true);
  });

  it('redirects LFS files to a CDN on another origin, which refuses an Authorization header', async () => {
    const head = await get(`${hub.url}/org/public/resolve/main/onnx/model.onnx`, { method: 'HEAD' });
    expect(head.status).toBe(302);
    const sha256 = createHash('sha256').update(weights).digest('hex');
    expect(head.headers.get('x-linked-etag')).toBe(`"${sha256}"`);
    expect(head.headers.get('x-linked-size')).toBe(String(weights.length));
    const location = head.headers.get('location') as string;
    expect(new URL(location).origin).toBe(hub.cdnUrl);
    expect(new URL(location).origin).not.toBe(hub.url);

    const download = await get(location);
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(weights)).toBe(true);
    expect((await get(location, { headers: { Authorization: 'Bearer hf_good' } })).status).toBe(400);
    expect(hub.requests.map((request) => `${request.server} ${request.method} ${request.status} ${request.authorization}`)).toEqual([
      'hub HEAD 302 false',
      'cdn GET 200 false',
      'cdn GET 400 true',
    ]);
  });

  it('serves other revisions by name and by commit, and URL-encoded revision names', async () => {
    const commit = hub.commitOf('org/public', 'v2');
    for (const revision of ['v2', commit]) {
      const response = await get(`${hub.url}/org/public/resolve/${encodeURIComponent(revision)}/config.json`);
      expect(await response.text()).toBe('{"model_type":"roberta"}');
      expect(response.headers.get('x-repo-commit')).toBe(commit);
    }
    const missing = await get(`${hub.url}/org/public/resolve/v3/config.json`);
    expect([missing.status, missing.headers.get('x-error-code')]).toEqual([404, 'RevisionNotFound']);
  });

  it('answers errors with the Hub status codes and X-Error-Code', async () => {
    const cases: Array<[string, RequestInit, number, string | null]> = [
      ['/org/public/resolve/main/missing.json', {}, 404, 'EntryNotFound'],
      ['/org/public/resolve/main/..%2F..%2Fetc%2Fpasswd', {}, 404, 'EntryNotFound'],
      ['/org/nothing/resolve/main/config.json', {}, 401, 'RepoNotFound'],
      ['/org/nothing/resolve/main/config.json', { headers: { Authorization: 'Bearer hf_good' } }, 404, 'RepoNotFound'],
      ['/org/gated/resolve/main/config.json', {}, 401, 'GatedRepo'],
      ['/org/gated/resolve/main/config.json', { headers: { Authorization: 'Bearer hf_bad' } }, 401, null],
      ['/org/gated/resolve/main/config.json', { headers: { Authorization: 'Bearer hf_good' } }, 200, null],
    ];
    for (const [url, init, status, code] of cases) {
      const response = await get(`${hub.url}${url}`, init);
      expect([url, response.status, response.headers.get('x-error-code')]).toEqual([url, status, code]);
    }
    const entryNotFound = await get(`${hub.url}/org/public/resolve/main/missing.json`, { method: 'HEAD' });
    expect(entryNotFound.headers.get('x-repo-commit')).toBe(hub.commitOf('org/public'));
  });

  it('redirects a renamed repository with a relative Location', async () => {
    const moved = await startHubServer({ repos: { 'org/new': { folder } }, movedRepos: { 'org/old': 'org/new' } });
    try {
      const response = await get(`${moved.url}/org/old/resolve/main/config.json`);
      expect(response.status).toBe(307);
      expect(response.headers.get('location')).toBe('/org/new/resolve/main/config.json');
    } finally {
      await moved.close();
    }
  });

  it('cuts a body after N bytes when told to, and recovers when the fault is cleared', async () => {
    hub.setFaults({ cutBodyAfterBytes: 1000, onlyFile: 'onnx/model.onnx' });
    const location = (await get(`${hub.url}/org/public/resolve/main/onnx/model.onnx`)).headers.get('location') as string;
    const cut = await get(location);
    expect(cut.headers.get('content-length')).toBe(String(weights.length));
    await expect(cut.arrayBuffer()).rejects.toThrow();
    expect((await get(`${hub.url}/org/public/resolve/main/config.json`)).status).toBe(200);

    hub.setFaults({});
    expect((await (await get(location)).arrayBuffer()).byteLength).toBe(weights.length);
  });

  it('delays answers when told to', async () => {
    hub.setFaults({ delayMs: 100 });
    const started = performance.now();
    await (await get(`${hub.url}/org/public/resolve/main/config.json`)).arrayBuffer();
    expect(performance.now() - started).toBeGreaterThanOrEqual(90);
  });
  it('answers browsers cross-origin when cors is on: preflight allowed, Hub headers exposed on the Hub and the CDN', async () => {
    const withCors = await startHubServer({ repos: { 'org/public': { folder } }, cors: true });
    try {
      const preflight = await get(`${withCors.url}/org/public/resolve/main/config.json`, {
        method: 'OPTIONS',
        headers: {
          origin: 'http://127.0.0.1:1',
          'access-control-request-method': 'GET',
          'access-control-request-headers': 'authorization',
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
      expect(preflight.headers.get('access-control-allow-headers')).toContain('Authorization');
      expect(withCors.requests.at(-1)).toMatchObject({ method: 'OPTIONS', status: 204 });

      const file = await get(`${withCors.url}/org/public/resolve/main/config.json`);
      expect(file.headers.get('access-control-allow-origin')).toBe('*');
      expect(file.headers.get('access-control-expose-headers')).toContain('X-Error-Code');
      const redirect = await get(`${withCors.url}/org/public/resolve/main/onnx/model.onnx`);
      expect(redirect.headers.get('access-control-allow-origin')).toBe('*');
      const cdn = await get(redirect.headers.get('location') as string);
      expect(cdn.headers.get('access-control-allow-origin')).toBe('*');
      expect((await cdn.arrayBuffer()).byteLength).toBe(weights.length);
    } finally {
      await withCors.close();
    }
  });

  it('sends no CORS headers and refuses OPTIONS by default', async () => {
    const response = await get(`${hub.url}/org/public/resolve/main/config.json`, { method: 'OPTIONS' });
    expect(response.status).toBe(405);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('startHubServer: faults and ranges', () => {
  const configUrl = () => `${hub.url}/org/public/resolve/main/config.json`;

  it('answers Range: bytes=N- with 206 and Content-Range, and 416 past the end', async () => {
    const response = await get(configUrl(), { headers: { Range: 'bytes=5-' } });
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe(`bytes 5-${config.length - 1}/${config.length}`);
    expect(Buffer.from(await response.arrayBuffer()).equals(config.subarray(5))).toBe(true);
    expect(hub.requests.at(-1)).toMatchObject({ range: 'bytes=5-', status: 206 });
    expect((await get(configUrl(), { headers: { Range: `bytes=${config.length}-` } })).status).toBe(416);
  });

  it('answers a status with Retry-After for `times` requests, then is healthy again', async () => {
    hub.setFaults({ status: 503, retryAfter: '7', times: 2 });
    for (let index = 0; index < 2; index += 1) {
      const failing = await get(configUrl());
      expect(failing.status).toBe(503);
      expect(failing.headers.get('retry-after')).toBe('7');
    }
    expect((await get(configUrl())).status).toBe(200);
  });

  it('corrupts a byte, shortens a body (Content-Length matching), or announces another ETag', async () => {
    hub.setFaults({ corruptByteAt: 2 });
    const corrupt = Buffer.from(await (await get(configUrl())).arrayBuffer());
    expect(corrupt.length).toBe(config.length);
    expect(corrupt.equals(config)).toBe(false);
    hub.setFaults({ truncateBodyTo: 4 });
    const short = await get(configUrl());
    expect(short.headers.get('content-length')).toBe('4');
    expect(Buffer.from(await short.arrayBuffer()).equals(config.subarray(0, 4))).toBe(true);
    hub.setFaults({ etag: 'e'.repeat(40) });
    expect((await get(configUrl())).headers.get('etag')).toBe(`"${'e'.repeat(40)}"`);
  });

  it('lists sizes and hashes with blobs=true, as the Hub does', async () => {
    const info = await (await get(`${hub.url}/api/models/org/public/revision/main?blobs=true`)).json();
    const sha256 = createHash('sha256').update(weights).digest('hex');
    expect(info.siblings).toEqual(
      expect.arrayContaining([
        {
          rfilename: 'config.json',
          blobId: createHash('sha1').update(`blob ${config.length}\0`).update(config).digest('hex'),
          size: config.length,
        },
        expect.objectContaining({
          rfilename: 'onnx/model.onnx',
          size: weights.length,
          lfs: expect.objectContaining({ sha256, size: weights.length }),
        }),
      ]),
    );
  });
});
