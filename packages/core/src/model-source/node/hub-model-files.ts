import { readFile } from 'node:fs/promises';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import type { DownloadProgressCallback } from '../download-progress.js';
import type { ModelFiles } from '../model-files.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { downloadBlob } from './download-blob.js';
import { resolveAccessToken } from './hub-access-token.js';
import { resolveHubCacheDir } from './hub-cache-dir.js';
import { hubFetch, type HubFetchResult } from './hub-fetch.js';
import { readHubFileMetadata, type HubFileMetadata } from './hub-file-metadata.js';
import { assertHubModelId } from './hub-model-id.js';
import { isOfflineMode } from './hub-offline-mode.js';
import { HubRepoCache } from './hub-repo-cache.js';
import { errorFromHubResponse } from './hub-response-error.js';
import { assertRevision, isCommitHash } from './hub-revision.js';
import { hubFileUrl, resolveHubUrl } from '../hub-url.js';
import { linkSnapshotFile } from './link-snapshot-file.js';
import { listFolderFiles } from './list-folder-files.js';
import { parseRevisionInfo } from '../parse-revision-info.js';
import { assertModelFilePath } from './model-file-path.js';
import { ProgressReporter } from './progress-reporter.js';
import { removeStaleDownloads } from './remove-stale-downloads.js';
import { shareDownload } from './shared-downloads.js';

/**
 * A model on the Hugging Face Hub, downloaded file by file on first use into the Hub cache (shared
 * with Python's huggingface_hub). Nothing is fetched until a file is asked for.
 *
 * Revalidation, as huggingface_hub does it: a commit-hash revision never moves, so its cached files
 * are read with no request at all. A branch or tag (`main`) is asked for once per opened model: the
 * first file asked for costs one HEAD request, which tells the commit `main` points to now; from then
 * on every file of this object comes from that commit (so config, tokenizer and weights always
 * match), read from the cache when there, downloaded otherwise. When the Hub cannot be reached (network
 * down, 5xx), files of the commit last seen for the revision are used from the cache. Offline mode
 * (`offline` or `HF_HUB_OFFLINE=1`) makes no request at all.
 */
export function openHubModel(modelId: string, options: ModelSourceOptions = {}, env: NodeJS.ProcessEnv = process.env): ModelFiles {
  assertHubModelId(modelId);
  const revision = options.revision ?? 'main';
  assertRevision(revision);
  return new HubModelFiles(modelId, revision, options, env);
}

class HubModelFiles implements ModelFiles {
  readonly location: string;
  private readonly cache: HubRepoCache;
  private readonly hubUrl: string;
  private readonly hubOrigin: string;
  private readonly offline: boolean;
  private readonly fetch: typeof globalThis.fetch;
  private readonly onProgress: DownloadProgressCallback | undefined;
  private readonly accessTokenOption: string | undefined;
  private token: Promise<string | undefined> | undefined;
  /** The commit every file of this object comes from, once known. */
  private commit: string | undefined;
  /** Files being resolved, so that concurrent reads of one file make one set of requests. */
  private readonly resolving = new Map<string, Promise<string>>();
  private staleDownloadsRemoved: Promise<void> | undefined;
  private listing: Promise<readonly string[] | undefined> | undefined;
  /** The revision's files as the Hub listed them, once it has: a file not among them is missing, with no request. */
  private listedByHub: ReadonlySet<string> | undefined;

  constructor(
    private readonly modelId: string,
    private readonly revision: string,
    options: ModelSourceOptions,
    private readonly env: NodeJS.ProcessEnv,
  ) {
    this.location = `hub:${modelId}@${revision}`;
    this.cache = new HubRepoCache(resolveHubCacheDir(options, env), modelId);
    this.hubUrl = resolveHubUrl(options.hubUrl ?? env.HF_ENDPOINT);
    this.hubOrigin = new URL(this.hubUrl).origin;
    this.offline = isOfflineMode(options, env);
    const fetchFunction = options.fetch ?? globalThis.fetch;
    // Called unbound, since some fetch implementations check their `this`.
    this.fetch = (input, init) => fetchFunction(input, init);
    this.onProgress = options.onProgress;
    this.accessTokenOption = options.accessToken;
  }

  async read(file: string): Promise<Uint8Array> {
    const bytes = await readFile(await this.localPath(file));
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  async localPath(file: string): Promise<string> {
    assertModelFilePath(file);
    let resolving = this.resolving.get(file);
    if (resolving === undefined) {
      resolving = this.resolveFile(file).finally(() => this.resolving.delete(file));
      this.resolving.set(file, resolving);
    }
    return resolving;
  }

  async exists(file: string): Promise<boolean> {
    assertModelFilePath(file);
    if (this.listedByHub !== undefined) return this.listedByHub.has(file);
    if (this.offline) return (await this.cache.findSnapshotFile(await this.offlineCommit(), file)) !== undefined;
    const commit = this.knownCommit();
    if (commit !== undefined) {
      if ((await this.cache.findSnapshotFile(commit, file)) !== undefined) return true;
      if (await this.cache.hasNoExistMarker(commit, file)) return false;
      return (await this.head(commit, file)) !== undefined;
    }
    try {
      return (await this.head(this.revision, file)) !== undefined;
    } catch (error) {
      const fallback = await this.fallbackCommit(error);
      if (fallback !== undefined && (await this.cache.findSnapshotFile(fallback, file)) !== undefined) return true;
      throw error;
    }
  }

  /**
   * The revision's files, from the Hub's model info (`/api/models/{id}/revision/{revision}`), which
   * also pins this object to the revision's commit; offline, or when that request fails, the files of
   * the cached snapshot, if any. Asked once per object.
   */
  list(): Promise<readonly string[] | undefined> {
    this.listing ??= this.fetchListing();
    return this.listing;
  }

  private async fetchListing(): Promise<readonly string[] | undefined> {
    if (!this.offline) {
      const listed = await this.fetchRevisionInfo().catch(() => undefined);
      if (listed !== undefined) return listed;
    }
    return listFolderFiles(this.cache.snapshotPath(await this.offlineCommit(), ''));
  }

  private async fetchRevisionInfo(): Promise<readonly string[] | undefined> {
    const revision = this.knownCommit() ?? this.revision;
    const result = await hubFetch({
      url: `${this.hubUrl}/api/models/${this.modelId}/revision/${encodeURIComponent(revision)}`,
      method: 'GET',
      hubOrigin: this.hubOrigin,
      token: await this.accessToken(),
      fetch: this.fetch,
      stopAtOtherOrigin: false,
      subject: `the file list of ${this.modelId} (revision ${this.revision})`,
    });
    if (!result.response.ok) {
      await result.response.body?.cancel();
      return undefined;
    }
    const info = parseRevisionInfo(await result.response.json().catch(() => undefined));
    if (info === undefined) return undefined;
    if (info.commit !== undefined) await this.learnCommit(info.commit);
    this.listedByHub = new Set(info.files);
    return info.files;
  }

  /** The snapshot path of a file, from the cache or downloaded into it. */
  private async resolveFile(file: string): Promise<string> {
    if (this.offline) return this.resolveOffline(file);
    if (this.listedByHub !== undefined && !this.listedByHub.has(file)) throw this.notFound(file);
    const known = this.knownCommit();
    if (known !== undefined) return this.fromCommit(known, file);

    let metadata: HubFileMetadata | undefined;
    try {
      metadata = await this.head(this.revision, file);
    } catch (error) {
      const fallback = await this.fallbackCommit(error);
      const cached = fallback === undefined ? undefined : await this.cached(fallback, file);
      if (fallback === undefined || cached === undefined) throw error;
      // Later files come from the same snapshot, whether or not the network comes back meanwhile.
      if (isCommitHash(fallback)) this.commit ??= fallback;
      return cached;
    }
    if (metadata === undefined) throw this.notFound(file);
    const commit = this.knownCommit() ?? this.revision;
    const cached = await this.cached(commit, file);
    if (cached !== undefined) return cached;
    // Unchanged in a new commit: the blob is already here, only the snapshot link is missing.
    if (metadata.etag !== undefined && (metadata.commit ?? this.revision) === commit && (await this.cache.hasBlob(metadata.etag))) {
      return this.linkCachedBlob(metadata.etag, commit, file);
    }
    return this.download(commit, file);
  }

  private async fromCommit(commit: string, file: string): Promise<string> {
    const cached = await this.cached(commit, file);
    if (cached !== undefined) return cached;
    if (await this.cache.hasNoExistMarker(commit, file)) throw this.notFound(file);
    return this.download(commit, file);
  }

  private async resolveOffline(file: string): Promise<string> {
    const commit = await this.offlineCommit();
    const cached = await this.cached(commit, file);
    if (cached !== undefined) return cached;
    if (await this.cache.hasNoExistMarker(commit, file)) throw this.notFound(file);
    throw new ModelFileNotFoundError({
      model: this.modelId,
      file,
      hint:
        `It is not in the Hugging Face cache at ${this.cache.cacheDir} (revision ${this.revision}) and offline mode is on ` +
        '(HF_HUB_OFFLINE or the offline option): download it once with offline mode off.',
    });
  }

  /** Where offline mode looks: the commit itself, else the one the revision pointed to when last online. */
  private async offlineCommit(): Promise<string> {
    return this.knownCommit() ?? (await this.cache.readRef(this.revision)) ?? this.revision;
  }

  private knownCommit(): string | undefined {
    return this.commit ?? (isCommitHash(this.revision) ? this.revision : undefined);
  }

  /** Pins this object to the commit the Hub reported for the revision, and records it in `refs/` as Python does. */
  private async learnCommit(commit: string | undefined): Promise<void> {
    if (commit === undefined || this.knownCommit() !== undefined) return;
    this.commit = commit;
    if (commit !== this.revision) await this.cache.writeRef(this.revision, commit);
  }

  /**
   * When the Hub is unreachable or failing (no status, or 5xx), the commit last seen for the revision,
   * whose cached files can be used: a flaky network should not stop a model that is already here.
   * Undefined for other errors (401, 404...), which must reach the caller.
   */
  private async fallbackCommit(error: unknown): Promise<string | undefined> {
    if (!HubRequestError.isInstance(error) || (error.status !== undefined && error.status < 500)) return undefined;
    return (await this.cache.readRef(this.revision)) ?? this.revision;
  }

  private async cached(commit: string, file: string): Promise<string | undefined> {
    const found = await this.cache.findSnapshotFile(commit, file);
    if (found === undefined) return undefined;
    this.onProgress?.({ file, status: 'cached', loadedBytes: found.size, totalBytes: found.size });
    return found.path;
  }

  private async linkCachedBlob(etag: string, commit: string, file: string): Promise<string> {
    const snapshotPath = this.cache.snapshotPath(commit, file);
    await linkSnapshotFile(this.cache.blobPath(etag), snapshotPath);
    return (await this.cached(commit, file)) ?? snapshotPath;
  }

  /** Downloads a file of a commit into the cache; one download per file in the whole process. */
  private async download(commit: string, file: string): Promise<string> {
    const snapshotPath = this.cache.snapshotPath(commit, file);
    await shareDownload(snapshotPath, this.onProgress, (report) => this.fetchIntoCache(commit, file, snapshotPath, report));
    return snapshotPath;
  }

  private async fetchIntoCache(commit: string, file: string, snapshotPath: string, report: DownloadProgressCallback): Promise<void> {
    this.staleDownloadsRemoved ??= removeStaleDownloads(this.cache.blobsFolder);
    await this.staleDownloadsRemoved;
    const result = await this.request('GET', commit, file);
    if (!result.response.ok) throw await this.failure(result, file);
    const metadata = readHubFileMetadata(result.hubHeaders);
    if (metadata.etag !== undefined && (await this.cache.hasBlob(metadata.etag))) {
      await result.response.body?.cancel();
      await linkSnapshotFile(this.cache.blobPath(metadata.etag), snapshotPath);
      const found = await this.cache.findSnapshotFile(commit, file);
      report({ file, status: 'cached', loadedBytes: found?.size ?? 0, totalBytes: found?.size });
      return;
    }
    const progress = new ProgressReporter(file, report);
    const blob = await downloadBlob({
      response: result.response,
      url: result.url,
      blobsFolder: this.cache.blobsFolder,
      etag: metadata.etag,
      expectedSize: metadata.size,
      expectedSha256: metadata.sha256,
      progress,
      subject: this.subject(file),
    });
    await linkSnapshotFile(blob.path, snapshotPath);
    progress.done();
  }

  /** Asks the Hub about a file without downloading it; undefined when the revision has no such file. */
  private async head(revision: string, file: string): Promise<HubFileMetadata | undefined> {
    const result = await this.request('HEAD', revision, file);
    const status = result.response.status;
    if (status < 200 || status >= 400) {
      const error = await this.failure(result, file);
      if (ModelFileNotFoundError.isInstance(error)) return undefined;
      throw error;
    }
    const metadata = readHubFileMetadata(result.hubHeaders);
    await this.learnCommit(metadata.commit);
    return metadata;
  }

  private async request(method: 'GET' | 'HEAD', revision: string, file: string): Promise<HubFetchResult> {
    return hubFetch({
      url: hubFileUrl(this.hubUrl, this.modelId, revision, file),
      method,
      hubOrigin: this.hubOrigin,
      token: await this.accessToken(),
      fetch: this.fetch,
      // A HEAD redirected to the CDN has its answer already: the file exists, and the Hub sent its metadata.
      stopAtOtherOrigin: method === 'HEAD',
      subject: this.subject(file),
    });
  }

  /** The typed error for a failed answer; a missing file is remembered in `.no_exist/` as Python does. */
  private async failure(result: HubFetchResult, file: string): Promise<HubRequestError | ModelFileNotFoundError> {
    await result.response.body?.cancel();
    const token = await this.accessToken();
    const error = errorFromHubResponse(result, {
      modelId: this.modelId,
      revision: this.revision,
      file,
      hubUrl: this.hubUrl,
      tokenSent: token !== undefined,
      redact: (text) => (token === undefined ? text : text.split(token).join('***')),
    });
    if (ModelFileNotFoundError.isInstance(error)) {
      const commit = readHubFileMetadata(result.hubHeaders).commit;
      await this.learnCommit(commit);
      if (commit !== undefined && isCommitHash(commit)) await this.cache.writeNoExistMarker(commit, file);
    }
    return error;
  }

  private async accessToken(): Promise<string | undefined> {
    this.token ??= resolveAccessToken({ accessToken: this.accessTokenOption }, this.env);
    return this.token;
  }

  private notFound(file: string): ModelFileNotFoundError {
    return new ModelFileNotFoundError({ model: this.modelId, file, hint: `The Hub has no such file at revision ${this.revision}.` });
  }

  private subject(file: string): string {
    return `${file} of ${this.modelId} (revision ${this.revision})`;
  }
}
