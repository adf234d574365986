import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { InvalidModelFileError } from '../../errors/invalid-model-file-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import type { DownloadProgressCallback } from '../download-progress.js';
import type { ModelFiles } from '../model-files.js';
import type { ModelSourceOptions } from '../model-source-options.js';
import { acquireLock, tryLock, type HeldLock } from './blob-lock.js';
import { checkFileDigest, digestOfEtag } from './blob-digest.js';
import { writeBody } from './download-blob.js';
import { fetchBlob } from './fetch-blob.js';
import { resolveAccessToken } from './hub-access-token.js';
import { resolveHubDownloadSettings, type HubDownloadSettings } from './hub-download-settings.js';
import { resolveHubCacheDir } from './hub-cache-dir.js';
import { hubFetch, type HubFetchRequest, type HubFetchResult } from './hub-fetch.js';
import { parseSize, readHubFileMetadata, type HubFileMetadata } from './hub-file-metadata.js';
import { assertHubModelId } from './hub-model-id.js';
import { isOfflineMode } from './hub-offline-mode.js';
import { HubRepoCache } from './hub-repo-cache.js';
import { errorFromHubResponse } from './hub-response-error.js';
import { assertRevision, isCommitHash } from './hub-revision.js';
import { hubFileUrl, resolveHubUrl } from '../hub-url.js';
import { linkSnapshotFile } from './link-snapshot-file.js';
import { listFolderFiles } from './list-folder-files.js';
import { parseRevisionInfo, type ExpectedBlob } from '../parse-revision-info.js';
import { assertModelFilePath } from './model-file-path.js';
import { incompleteFileName } from './incomplete-file-name.js';
import { ProgressReporter } from './progress-reporter.js';
import { removeStaleDownloads } from './remove-stale-downloads.js';
import { isRetryableError, sendWithRetries } from '../retry-policy.js';
import { shareDownload } from './shared-downloads.js';

/**
 * A model on the Hugging Face Hub, downloaded file by file on first use into the Hub cache (shared
 * with Python's huggingface_hub). Nothing is fetched until a file is asked for.
 *
 * Revalidation, as huggingface_hub does it: a commit-hash revision never moves, so its cached files
 * are read with no request at all. A branch or tag (`main`) is asked for once per opened model: the
 * first file asked for costs one HEAD request, which tells the commit `main` points to now; from then
 * on every file of this object comes from that commit (so config, tokenizer and weights always
 * match), read from the cache when there, downloaded otherwise. When that request fails for any
 * reason but a missing revision (network down, timeout, 401, 429, 5xx), files of the commit last seen
 * for the revision are used from the cache, with a warning. Offline mode (`offline` or
 * `HF_HUB_OFFLINE=1`) makes no request at all.
 *
 * Reliability, beyond huggingface_hub's: every download is checked against what the Hub announced
 * (LFS files by SHA-256, regular files by their git blob SHA-1 ETag, sizes) before it is cached;
 * requests time out (`etagTimeout`, `downloadTimeout`) and are retried with backoff; a cut download
 * resumes from `blobs/<etag>.incomplete`; a lock per blob (`.locks/`) makes concurrent processes
 * download it once; a cached regular file is checked on every load and downloaded again when damaged.
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
  private readonly settings: HubDownloadSettings;
  /** Files `forceDownload` has downloaded again already (later reads of this object use them). */
  private readonly forceDownloaded = new Set<string>();
  private token: Promise<string | undefined> | undefined;
  /** The commit every file of this object comes from, once known. */
  private commit: string | undefined;
  /** Files being resolved, so that concurrent reads of one file make one set of requests. */
  private readonly resolving = new Map<string, Promise<string>>();
  private staleDownloadsRemoved: Promise<void> | undefined;
  private listing: Promise<readonly string[] | undefined> | undefined;
  /** The revision's files as the Hub listed them, once it has: a file not among them is missing, with no request. */
  private listedByHub: ReadonlySet<string> | undefined;
  /** What each file must be (size, digest), from that list: a cached file is checked against its size. */
  private expectedBlobs: { readonly commit: string; readonly blobs: ReadonlyMap<string, ExpectedBlob> } | undefined;

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
    this.settings = resolveHubDownloadSettings(options, env);
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
    const attempts = (await this.cache.readRef(this.revision)) === undefined ? this.settings.retry.maxAttempts : 1;
    const result = await this.metadataRequest(attempts, {
      // blobs=true: each file's size and hashes too (huggingface_hub's files_metadata), to check cached files by.
      url: `${this.hubUrl}/api/models/${this.modelId}/revision/${encodeURIComponent(revision)}?blobs=true`,
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
    if (info.commit !== undefined && info.blobs !== undefined) this.expectedBlobs = { commit: info.commit, blobs: info.blobs };
    return info.files;
  }

  /** The snapshot path of a file, from the cache or downloaded into it. */
  private async resolveFile(file: string): Promise<string> {
    if (this.offline) return this.resolveOffline(file);
    if (this.listedByHub !== undefined && !this.listedByHub.has(file)) throw this.notFound(file);
    const known = this.knownCommit();
    if (known !== undefined) return this.fromCommit(known, file);

    // With the file cached for the revision, the Hub is asked once, and any failure falls back to it.
    const fallback = (await this.cache.readRef(this.revision)) ?? this.revision;
    const cachedFallback = (await this.cache.findSnapshotFile(fallback, file)) !== undefined;
    let metadata: HubFileMetadata | undefined;
    try {
      metadata = await this.head(this.revision, file, cachedFallback ? 1 : this.settings.retry.maxAttempts);
    } catch (error) {
      const cached = this.canFallBack(error) && cachedFallback ? await this.cachedOrDamaged(fallback, file) : undefined;
      if (cached === undefined) throw error;
      this.settings.warn({
        code: 'using-cache',
        file,
        message: `Could not check ${this.subject(file)} with the Hub (${(error as Error).message}); using the cached copy.`,
      });
      // Later files come from the same snapshot, whether or not the network comes back meanwhile.
      if (isCommitHash(fallback)) this.commit ??= fallback;
      return cached;
    }
    if (metadata === undefined) throw this.notFound(file);
    const commit = this.knownCommit() ?? this.revision;
    if (!this.mustDownload(file)) {
      const cached = await this.cachedOrRepaired(commit, file, metadata.size);
      if (cached !== undefined) return cached;
      // Unchanged in a new commit: the blob is already here, only the snapshot link is missing.
      if (metadata.etag !== undefined && (metadata.commit ?? this.revision) === commit && (await this.cache.hasBlob(metadata.etag))) {
        return this.linkCachedBlob(metadata.etag, commit, file);
      }
    }
    return this.download(commit, file);
  }

  private async fromCommit(commit: string, file: string): Promise<string> {
    if (!this.mustDownload(file)) {
      const cached = await this.cachedOrRepaired(commit, file, undefined);
      if (cached !== undefined) return cached;
    }
    if (await this.cache.hasNoExistMarker(commit, file)) throw this.notFound(file);
    return this.download(commit, file);
  }

  private async resolveOffline(file: string): Promise<string> {
    const commit = await this.offlineCommit();
    const cached = await this.cachedOrDamaged(commit, file);
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
   * Whether a failed metadata request may fall back to the cache, as huggingface_hub does: any failure
   * (unreachable, timeout, 401/403, 429, 5xx) but a missing revision, which must reach the caller.
   */
  private canFallBack(error: unknown): boolean {
    return HubRequestError.isInstance(error) && error.errorCode !== 'RevisionNotFound';
  }

  /** The commit a failed request may fall back to (see canFallBack), if any. */
  private async fallbackCommit(error: unknown): Promise<string | undefined> {
    if (!this.canFallBack(error)) return undefined;
    return (await this.cache.readRef(this.revision)) ?? this.revision;
  }

  /** Looks a file up in the cache, checked cheaply (see `damage`); a sound one is reported as cached. */
  private async cached(commit: string, file: string, expectedSize: number | undefined): Promise<CacheLookup> {
    const found = await this.cache.findSnapshotFile(commit, file);
    if (found === undefined) return { kind: 'missing' };
    const damage = await this.damage(found.path, found.size, expectedSize ?? this.listedSize(commit, file));
    if (damage !== undefined) return { kind: 'damaged', ...damage };
    this.onProgress?.({ file, status: 'cached', loadedBytes: found.size, totalBytes: found.size });
    return { kind: 'sound', path: found.path };
  }

  /** A cached file, or undefined when not cached; a damaged one is discarded (then downloaded by the caller). */
  private async cachedOrRepaired(commit: string, file: string, expectedSize: number | undefined): Promise<string | undefined> {
    const lookup = await this.cached(commit, file, expectedSize);
    if (lookup.kind === 'sound') return lookup.path;
    if (lookup.kind === 'missing') return undefined;
    this.settings.warn({
      code: 'damaged-cache',
      file,
      message: `The cached ${this.subject(file)} is damaged (${lookup.reason}): downloading it again.`,
    });
    await this.discard(commit, file, lookup.blobPath);
    return undefined;
  }

  /** A cached file, or undefined when not cached; a damaged one is an error that says what to do (there is no Hub to repair it from). */
  private async cachedOrDamaged(commit: string, file: string): Promise<string | undefined> {
    const lookup = await this.cached(commit, file, undefined);
    if (lookup.kind === 'sound') return lookup.path;
    if (lookup.kind === 'missing') return undefined;
    throw this.damagedError(file, lookup.blobPath, lookup.reason);
  }

  /**
   * What is wrong with a cached file, checked cheaply: its size against the one the Hub announced,
   * and a regular file (named by its git blob SHA-1, small by nature) against its hash. LFS files are
   * hashed by `verify` and `fillmask cache verify`.
   */
  private async damage(
    snapshotPath: string,
    size: number,
    expectedSize: number | undefined,
  ): Promise<{ reason: string; blobPath: string } | undefined> {
    const blobPath = await realpath(snapshotPath).catch(() => snapshotPath);
    if (expectedSize !== undefined && size !== expectedSize) {
      return { blobPath, reason: `it has ${size} bytes where the Hub announces ${expectedSize}` };
    }
    const digest = digestOfEtag(path.basename(blobPath));
    if (digest?.kind !== 'git-blob-sha1') return undefined;
    const reason = await checkFileDigest(blobPath, digest);
    return reason === undefined ? undefined : { blobPath, reason };
  }

  /**
   * Checks a cached file against its hash, whatever its size (LFS files included), for a caller whose
   * load of the file failed. A damaged file is downloaded again when online (true: read it again); it
   * is an InvalidModelFileError naming it and the way out when offline; false when it is sound (or not
   * cached, or its name allows no check).
   */
  async verify(file: string): Promise<boolean> {
    assertModelFilePath(file);
    const commit = this.offline
      ? await this.offlineCommit()
      : (this.knownCommit() ?? (await this.cache.readRef(this.revision)) ?? this.revision);
    const found = await this.cache.findSnapshotFile(commit, file);
    if (found === undefined) return false;
    const blobPath = await realpath(found.path).catch(() => found.path);
    const digest = digestOfEtag(path.basename(blobPath));
    const reason = digest === undefined ? undefined : await checkFileDigest(blobPath, digest);
    if (reason === undefined) return false;
    if (this.offline) throw this.damagedError(file, blobPath, reason);
    this.settings.warn({
      code: 'damaged-cache',
      file,
      message: `The cached ${this.subject(file)} is damaged (${reason}): downloading it again.`,
    });
    await this.discard(commit, file, blobPath);
    await this.download(commit, file);
    return true;
  }

  private async discard(commit: string, file: string, blobPath: string): Promise<void> {
    await rm(blobPath, { force: true });
    // A copy (where symlinks fail) is the damaged file itself; a link is made again with the blob.
    await rm(this.cache.snapshotPath(commit, file), { force: true });
  }

  private damagedError(file: string, blobPath: string, reason: string): InvalidModelFileError {
    return new InvalidModelFileError({
      model: this.modelId,
      file,
      reason:
        `the cached copy ${blobPath} is damaged (${reason}). Online, run \`fillmask cache verify --fix\`, or load it ` +
        'with --force-download (the forceDownload option), or delete that file; offline, nothing can replace it.',
    });
  }

  /** A file's size at a commit, as the Hub's file list gave it, if it did. */
  private listedSize(commit: string, file: string): number | undefined {
    return this.expectedBlobs?.commit === commit ? this.expectedBlobs.blobs.get(file)?.size : undefined;
  }

  private async linkCachedBlob(etag: string, commit: string, file: string): Promise<string> {
    const snapshotPath = this.cache.snapshotPath(commit, file);
    await linkSnapshotFile(this.cache.blobPath(etag), snapshotPath);
    return (await this.cachedOrRepaired(commit, file, undefined)) ?? this.download(commit, file);
  }

  /** Downloads a file of a commit into the cache; one download per file in the whole process. */
  private async download(commit: string, file: string): Promise<string> {
    const snapshotPath = this.cache.snapshotPath(commit, file);
    await shareDownload(snapshotPath, this.onProgress, (report) => this.fetchIntoCache(commit, file, snapshotPath, report));
    if (this.settings.forceDownload) this.forceDownloaded.add(file);
    return snapshotPath;
  }

  /** With `forceDownload`, a file not yet downloaded again by this object: once is enough. */
  private mustDownload(file: string): boolean {
    return this.settings.forceDownload && !this.forceDownloaded.has(file);
  }

  private async fetchIntoCache(commit: string, file: string, snapshotPath: string, report: DownloadProgressCallback): Promise<void> {
    const force = this.mustDownload(file);
    this.staleDownloadsRemoved ??= removeStaleDownloads(this.cache.blobsFolder);
    await this.staleDownloadsRemoved;
    // The first answer names the blob (its etag): a regular file's body, or an LFS file's redirect to the CDN, not followed yet.
    const first = await this.firstDownloadAnswer(commit, file);
    const metadata = readHubFileMetadata(first.hubHeaders);
    const progress = new ProgressReporter(file, report);
    if (metadata.etag === undefined) {
      const blob = await this.downloadUnnamed(first, file, progress);
      await linkSnapshotFile(blob, snapshotPath);
      progress.done();
      return;
    }
    const etag = metadata.etag;
    let lock: HeldLock | undefined;
    let pending: HubFetchResult | undefined = first;
    try {
      lock = await tryLock(this.cache.lockPath(etag));
      if (lock === undefined) {
        // Another process (or thread) downloads this blob: wait for it rather than download it twice.
        await first.response.body?.cancel();
        pending = undefined;
        lock = await acquireLock(this.cache.lockPath(etag));
      }
      if (!force && (await this.cache.hasBlob(etag))) {
        await linkSnapshotFile(this.cache.blobPath(etag), snapshotPath);
        const found = await this.cache.findSnapshotFile(commit, file);
        report({ file, status: 'cached', loadedBytes: found?.size ?? 0, totalBytes: found?.size });
        return;
      }
      if (force) await rm(this.cache.incompletePath(etag), { force: true });
      await mkdir(this.cache.blobsFolder, { recursive: true });
      const answer = pending;
      pending = undefined;
      const blob = await fetchBlob({
        blobPath: this.cache.blobPath(etag),
        incompletePath: this.cache.incompletePath(etag),
        expectedSize: metadata.size ?? this.listedSize(commit, file),
        digest: digestOfEtag(etag),
        first: answer,
        request: (offset, location) => this.downloadRequest(commit, file, offset, location, false),
        failure: (result) => this.failure(result, file),
        settings: this.settings,
        progress,
        subject: this.subject(file),
      });
      if (force) await rm(snapshotPath, { force: true });
      await linkSnapshotFile(blob.path, snapshotPath);
      progress.done();
    } finally {
      await pending?.response.body?.cancel().catch(() => undefined);
      await lock?.release();
    }
  }

  /** The first GET of a download, retried like the others until it answers with the file or its redirect. */
  private async firstDownloadAnswer(commit: string, file: string): Promise<HubFetchResult> {
    const result = await sendWithRetries(
      this.settings.retry,
      () => this.downloadRequest(commit, file, 0, undefined, true),
      (answer) => answer.response,
      isRetryableError,
    );
    if (result.response.ok || isRedirect(result.response)) return result;
    throw await this.failure(result, file);
  }

  /**
   * A file the Hub sent no etag for (not the Hub's way; a proxy's, perhaps): no name to lock or resume
   * by, so it is downloaded whole and named by its SHA-256, as before.
   */
  private async downloadUnnamed(first: HubFetchResult, file: string, progress: ProgressReporter): Promise<string> {
    let result = first;
    if (isRedirect(first.response)) {
      await first.response.body?.cancel();
      result = await this.downloadRequest('', file, 0, new URL(first.response.headers.get('location') ?? '', first.url).href, false);
    }
    if (!result.response.ok) throw await this.failure(result, file);
    await mkdir(this.cache.blobsFolder, { recursive: true });
    const temporary = incompleteFileName(path.join(this.cache.blobsFolder, 'download'));
    try {
      await writeBody({
        result,
        filePath: temporary,
        offset: 0,
        progress,
        subject: this.subject(file),
        chunkTimeoutMs: this.settings.downloadTimeoutMs,
        timeoutName: downloadTimeoutName,
      });
      const hash = createHash('sha256')
        .update(await readFile(temporary))
        .digest('hex');
      const blobPath = this.cache.blobPath(hash);
      await rename(temporary, blobPath);
      return blobPath;
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
  }

  /** A GET of a file of a commit (or of its CDN `location`), from byte `offset`. */
  private async downloadRequest(
    commit: string,
    file: string,
    offset: number,
    location: string | undefined,
    stopAtOtherOrigin: boolean,
  ): Promise<HubFetchResult> {
    return hubFetch({
      url: location ?? hubFileUrl(this.hubUrl, this.modelId, commit, file),
      method: 'GET',
      hubOrigin: this.hubOrigin,
      token: await this.accessToken(),
      fetch: this.fetch,
      stopAtOtherOrigin,
      subject: this.subject(file),
      timeoutMs: this.settings.downloadTimeoutMs,
      timeoutName: downloadTimeoutName,
      range: offset > 0 ? `bytes=${offset}-` : undefined,
    });
  }

  /** Asks the Hub about a file without downloading it; undefined when the revision has no such file. */
  private async head(revision: string, file: string, attempts = this.settings.retry.maxAttempts): Promise<HubFileMetadata | undefined> {
    const result = await this.metadataRequest(attempts, {
      url: hubFileUrl(this.hubUrl, this.modelId, revision, file),
      method: 'HEAD',
      hubOrigin: this.hubOrigin,
      token: await this.accessToken(),
      fetch: this.fetch,
      // A HEAD redirected to the CDN has its answer already: the file exists, and the Hub sent its metadata.
      stopAtOtherOrigin: true,
      subject: this.subject(file),
    });
    const status = result.response.status;
    if (status < 200 || status >= 400) {
      const error = await this.failure(result, file);
      if (ModelFileNotFoundError.isInstance(error)) return undefined;
      throw error;
    }
    const metadata = readHubFileMetadata(result.hubHeaders);
    await this.learnCommit(metadata.commit);
    // A regular file's HEAD gives its size in Content-Length (an LFS file's is X-Linked-Size).
    const identity = (result.response.headers.get('content-encoding') ?? 'identity') === 'identity';
    const contentLength =
      result.fromHub && status === 200 && identity ? parseSize(result.response.headers.get('content-length')) : undefined;
    return metadata.size === undefined && contentLength !== undefined ? { ...metadata, size: contentLength } : metadata;
  }

  /**
   * A metadata request (HEAD, file list) with the etag timeout, tried up to `attempts` times while it
   * fails for a reason that may pass (see retry-policy); the last answer is returned as it is.
   */
  private metadataRequest(attempts: number, request: Omit<HubFetchRequest, 'timeoutMs' | 'timeoutName'>): Promise<HubFetchResult> {
    return sendWithRetries(
      { ...this.settings.retry, maxAttempts: attempts },
      () => hubFetch({ ...request, timeoutMs: this.settings.etagTimeoutMs, timeoutName: etagTimeoutName }),
      (answer) => answer.response,
      isRetryableError,
    );
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

type CacheLookup = { kind: 'missing' } | { kind: 'sound'; path: string } | { kind: 'damaged'; reason: string; blobPath: string };

function isRedirect(response: Response): boolean {
  return response.status >= 300 && response.status < 400 && response.headers.has('location');
}

const etagTimeoutName = 'HF_HUB_ETAG_TIMEOUT or the etagTimeout option';
const downloadTimeoutName = 'HF_HUB_DOWNLOAD_TIMEOUT or the downloadTimeout option';
