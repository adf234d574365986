import { createHash } from 'node:crypto';
import { mkdir, open, rename, rm, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { describeNetworkError } from '../describe-network-error.js';
import { displayUrl } from './display-url.js';
import { parseSize } from './hub-file-metadata.js';
import { incompleteFileName } from './incomplete-file-name.js';
import type { ProgressReporter } from './progress-reporter.js';

export interface BlobDownload {
  /** A successful response whose body is the file. */
  readonly response: Response;
  readonly url: string;
  readonly blobsFolder: string;
  /** The blob's name; when the Hub sent no usable etag, the SHA-256 of the content is used. */
  readonly etag: string | undefined;
  /** The size the Hub announced (`X-Linked-Size`), checked as well as the final Content-Length. */
  readonly expectedSize: number | undefined;
  /** The SHA-256 the Hub announced for an LFS file, checked after the download. */
  readonly expectedSha256: string | undefined;
  readonly progress: ProgressReporter;
  /** What is downloaded, for messages. */
  readonly subject: string;
}

/** A blob written to the cache. */
export interface DownloadedBlob {
  readonly path: string;
  readonly size: number;
}

/**
 * Streams a response body into the blobs folder and returns the blob. Progress is reported as bytes
 * arrive; the caller reports `done` once the file is usable. The bytes go to a
 * temporary file in the same folder, are checked (byte count, SHA-256 when known), then renamed
 * into place: an interrupted or corrupt download never leaves a file under a blob name.
 */
export async function downloadBlob(download: BlobDownload): Promise<DownloadedBlob> {
  const { response } = download;
  await mkdir(download.blobsFolder, { recursive: true });
  const temporary = incompleteFileName(path.join(download.blobsFolder, download.etag ?? 'download'));
  // A Content-Length of an encoded body counts encoded bytes; identity is asked for, but be safe.
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const contentLength = encoded ? undefined : parseSize(response.headers.get('content-length'));
  const hash = download.expectedSha256 !== undefined || download.etag === undefined ? createHash('sha256') : undefined;

  let handle: FileHandle | undefined;
  try {
    handle = await open(temporary, 'wx');
    download.progress.start(contentLength ?? download.expectedSize);
    const loadedBytes = await streamBody(download, handle, hash, contentLength ?? download.expectedSize);
    download.progress.end();
    await handle.close();
    handle = undefined;

    checkSize(download, loadedBytes, contentLength, 'Content-Length');
    checkSize(download, loadedBytes, download.expectedSize, 'X-Linked-Size');
    const sha256 = hash?.digest('hex');
    if (download.expectedSha256 !== undefined && sha256 !== download.expectedSha256) {
      throw corrupt(download, `its SHA-256 is ${sha256}, the Hub announced ${download.expectedSha256}`);
    }
    const blobPath = path.join(download.blobsFolder, download.etag ?? (sha256 as string));
    await rename(temporary, blobPath);
    return { path: blobPath, size: loadedBytes };
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temporary, { force: true });
    throw error;
  }
}

async function streamBody(
  download: BlobDownload,
  handle: FileHandle,
  hash: ReturnType<typeof createHash> | undefined,
  totalBytes: number | undefined,
): Promise<number> {
  const body = download.response.body;
  if (body === null) return 0;
  const reader = body.getReader();
  let loadedBytes = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (error) {
        throw new HubRequestError({
          url: displayUrl(download.url),
          message: `The download of ${download.subject} was interrupted after ${loadedBytes} of ${totalBytes ?? 'an unknown number of'} bytes: ${describeNetworkError(error)}. Nothing was cached; try again.`,
          cause: error,
        });
      }
      if (chunk.done) return loadedBytes;
      await writeAll(handle, chunk.value);
      hash?.update(chunk.value);
      loadedBytes += chunk.value.byteLength;
      download.progress.update(loadedBytes);
    }
  } catch (error) {
    // Stop the transfer too when the disk (or anything else) failed.
    await reader.cancel().catch(() => undefined);
    throw error;
  }
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

function checkSize(download: BlobDownload, loadedBytes: number, expected: number | undefined, source: string): void {
  if (expected !== undefined && loadedBytes !== expected) {
    throw corrupt(download, `received ${loadedBytes} bytes where ${source} announced ${expected}`);
  }
}

function corrupt(download: BlobDownload, reason: string): HubRequestError {
  return new HubRequestError({
    url: displayUrl(download.url),
    message: `The download of ${download.subject} is incomplete or corrupt: ${reason}. Nothing was cached; try again.`,
  });
}
