import { rename, rm, stat } from 'node:fs/promises';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { checkFileDigest, type BlobDigest } from './blob-digest.js';
import { displayUrl } from './display-url.js';
import { writeBody } from './download-blob.js';
import type { HubDownloadSettings } from './hub-download-settings.js';
import type { HubFetchResult } from './hub-fetch.js';
import type { ProgressReporter } from './progress-reporter.js';
import { isRetryableError, isRetryableStatus, retryDelayMs, sleep } from '../retry-policy.js';

export interface BlobFetch {
  /** Where the blob goes once checked. */
  readonly blobPath: string;
  /** Where its bytes go meanwhile (`<etag>.incomplete`, as huggingface_hub names it): resumed when present. */
  readonly incompletePath: string;
  /** The size the Hub announced (`X-Linked-Size`), if it did. */
  readonly expectedSize: number | undefined;
  /** What the content must hash to (from the etag), if the etag allows a check. */
  readonly digest: BlobDigest | undefined;
  /** An answer already received for the file: its body (200), or the redirect to its CDN. */
  readonly first: HubFetchResult | undefined;
  /** Asks for the file (from the Hub, or at `location`), from byte `offset` when above 0, following redirects. */
  readonly request: (offset: number, location?: string) => Promise<HubFetchResult>;
  /** The typed error for an answer that is not the file. */
  readonly failure: (result: HubFetchResult) => Promise<Error>;
  readonly settings: HubDownloadSettings;
  readonly progress: ProgressReporter;
  readonly subject: string;
}

/** Bodies that fail their check before the download gives up: one retry, as a flipped bit in transit may not come back. */
const maxMismatches = 2;

/**
 * Downloads a blob, the caller holding its lock: resumes `<etag>.incomplete` with `Range`, retries
 * dropped connections, stalls, 429 and 5xx with backoff (honouring `Retry-After`), checks the size and
 * digest, and renames the file into place only when both match. A mismatch deletes the bytes and
 * downloads again once; nothing that fails its check is ever cached.
 */
export async function fetchBlob(fetch: BlobFetch): Promise<{ path: string; size: number }> {
  const { settings } = fetch;
  let pending = fetch.first;
  let mismatches = 0;
  // Set when the bodies failed their check too often: not a failure a retry may pass.
  let corrupt: HubRequestError | undefined;
  for (let attempt = 1; ; attempt += 1) {
    const last = attempt >= settings.retry.maxAttempts;
    const offset = await sizeOf(fetch.incompletePath);
    let result: HubFetchResult;
    let retryAfter: string | null = null;
    try {
      result = await answer(fetch, pending, offset);
      pending = undefined;
      if (result.response.status === 416 && offset > 0) {
        // The partial file is as long as the file or longer: it cannot be resumed.
        await result.response.body?.cancel();
        await rm(fetch.incompletePath, { force: true });
        attempt -= 1;
        continue;
      }
      if (!result.response.ok) {
        retryAfter = result.response.headers.get('retry-after');
        if (last || !isRetryableStatus(result.response.status)) throw await fetch.failure(result);
        await result.response.body?.cancel();
        await sleep(retryDelayMs(attempt, settings.retry, retryAfter));
        continue;
      }
      const written = await writeBody({
        result,
        filePath: fetch.incompletePath,
        offset,
        progress: fetch.progress,
        subject: fetch.subject,
        chunkTimeoutMs: settings.downloadTimeoutMs,
        timeoutName: 'HF_HUB_DOWNLOAD_TIMEOUT or the downloadTimeout option',
      });
      const problem = await check(fetch, written.size, written.totalSize);
      if (problem === undefined) {
        await rename(fetch.incompletePath, fetch.blobPath);
        return { path: fetch.blobPath, size: written.size };
      }
      await rm(fetch.incompletePath, { force: true });
      mismatches += 1;
      if (last || mismatches >= maxMismatches) {
        corrupt = new HubRequestError({
          url: displayUrl(result.url),
          message: `The download of ${fetch.subject} is incomplete or corrupt: ${problem}. Nothing was cached; try again later.`,
        });
      }
    } catch (error) {
      pending = undefined;
      if (
        last ||
        !isRetryableError(error) ||
        (HubRequestError.isInstance(error) && error.status !== undefined && !isRetryableStatus(error.status))
      ) {
        throw withAttempts(error, attempt, fetch.incompletePath);
      }
      await sleep(retryDelayMs(attempt, settings.retry, retryAfter));
    }
    if (corrupt !== undefined) throw corrupt;
  }
}

async function answer(fetch: BlobFetch, pending: HubFetchResult | undefined, offset: number): Promise<HubFetchResult> {
  if (pending === undefined) return fetch.request(offset);
  const location = pending.response.headers.get('location');
  if (pending.response.status >= 300 && pending.response.status < 400 && location !== null) {
    // The Hub's redirect to the CDN: follow it from where the partial file ends.
    await pending.response.body?.cancel();
    return fetch.request(offset, new URL(location, pending.url).href);
  }
  if (offset === 0 || !pending.response.ok) return pending;
  // A whole body, but part of it is here already: ask for the rest.
  await pending.response.body?.cancel();
  return fetch.request(offset);
}

async function check(fetch: BlobFetch, size: number, totalSize: number | undefined): Promise<string | undefined> {
  if (totalSize !== undefined && size !== totalSize) return `received ${size} bytes where the server announced ${totalSize}`;
  if (fetch.expectedSize !== undefined && size !== fetch.expectedSize) {
    return `received ${size} bytes where X-Linked-Size announced ${fetch.expectedSize}`;
  }
  return fetch.digest === undefined ? undefined : checkFileDigest(fetch.incompletePath, fetch.digest);
}

function withAttempts(error: unknown, attempts: number, incompletePath: string): unknown {
  if (!HubRequestError.isInstance(error) || error.status !== undefined) return error;
  const tries = attempts === 1 ? '1 attempt' : `${attempts} attempts`;
  return new HubRequestError({
    url: error.url,
    message: `${error.message} Gave up after ${tries}; the bytes received are kept in ${incompletePath}, and the next download resumes from there.`,
    cause: error.cause ?? error,
  });
}

async function sizeOf(filePath: string): Promise<number> {
  try {
    return (await stat(filePath)).size;
  } catch {
    return 0;
  }
}
