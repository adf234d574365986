import { open, type FileHandle } from 'node:fs/promises';
import { HubRequestError } from '../../errors/hub-request-error.js';
import { describeNetworkError } from '../describe-network-error.js';
import { displayUrl } from './display-url.js';
import type { HubFetchResult } from './hub-fetch.js';
import { parseSize } from './hub-file-metadata.js';
import type { ProgressReporter } from './progress-reporter.js';

export interface BodyTransfer {
  /** A 200 (the whole file) or 206 (the file from `offset`) answer. */
  readonly result: HubFetchResult;
  /** The incomplete file the body goes to: appended to after a 206, rewritten after a 200. */
  readonly filePath: string;
  /** The bytes already in the file, which a `Range` asked the server to skip. */
  readonly offset: number;
  readonly progress: ProgressReporter;
  /** What is downloaded, for messages. */
  readonly subject: string;
  /** The longest wait for the next chunk of the body, in ms. */
  readonly chunkTimeoutMs: number;
  /** What sets that timeout, for messages. */
  readonly timeoutName: string;
}

/** The incomplete file after a body was written to its end. */
export interface WrittenBody {
  readonly size: number;
  /** The whole file's size as the answer gave it (Content-Range, else Content-Length of a 200). */
  readonly totalSize: number | undefined;
}

/**
 * Streams an answer's body into an incomplete file. A body cut short (the connection dropped, no
 * chunk within the timeout, fewer bytes than Content-Length) is a HubRequestError without status,
 * and what arrived stays in the file: the next attempt resumes from there.
 */
export async function writeBody(transfer: BodyTransfer): Promise<WrittenBody> {
  const { response } = transfer.result;
  // A Content-Length of an encoded body counts encoded bytes; identity is asked for, but be safe.
  const encoded = (response.headers.get('content-encoding') ?? 'identity') !== 'identity';
  const contentLength = encoded ? undefined : parseSize(response.headers.get('content-length'));
  let start = 0;
  let totalSize = response.status === 200 ? contentLength : undefined;
  if (response.status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers.get('content-range')?.trim() ?? '');
    start = range === null ? Number.NaN : Number(range[1]);
    if (start !== transfer.offset) {
      await response.body?.cancel();
      throw new HubRequestError({
        url: displayUrl(transfer.result.url),
        message: `The server answered a resumed download of ${transfer.subject} with bytes from ${start}, not ${transfer.offset}.`,
        status: 206,
      });
    }
    totalSize = range?.[3] === '*' ? undefined : parseSize(range?.[3] ?? null);
  }

  let handle: FileHandle | undefined;
  let received = 0;
  try {
    handle = await open(transfer.filePath, start === 0 ? 'w' : 'a');
    transfer.progress.start(totalSize, start);
    received = await streamBody(transfer, handle, start, totalSize);
  } finally {
    await handle?.close().catch(() => undefined);
  }
  if (contentLength !== undefined && received < contentLength) {
    throw interrupted(transfer, start + received, totalSize, `the body ended after ${received} of ${contentLength} bytes`);
  }
  transfer.progress.end();
  return { size: start + received, totalSize };
}

async function streamBody(transfer: BodyTransfer, handle: FileHandle, start: number, totalSize: number | undefined): Promise<number> {
  const body = transfer.result.response.body;
  if (body === null) return 0;
  const reader = body.getReader();
  let received = 0;
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await readWithin(reader, transfer.chunkTimeoutMs);
      } catch (error) {
        const reason =
          error instanceof ChunkTimeout
            ? `no data for ${transfer.chunkTimeoutMs / 1000} s (${transfer.timeoutName})`
            : describeNetworkError(error);
        throw interrupted(transfer, start + received, totalSize, reason, error);
      }
      if (chunk.done) return received;
      await writeAll(handle, chunk.value);
      received += chunk.value.byteLength;
      transfer.progress.update(start + received);
    }
  } catch (error) {
    // Stop the transfer too when the disk (or anything else) failed, or the body stalled.
    await reader.cancel().catch(() => undefined);
    throw error;
  }
}

class ChunkTimeout extends Error {}

function readWithin(reader: ReadableStreamDefaultReader<Uint8Array>, timeoutMs: number): Promise<ReadableStreamReadResult<Uint8Array>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ChunkTimeout('timeout')), timeoutMs);
  });
  return Promise.race([reader.read(), timeout]).finally(() => clearTimeout(timer));
}

async function writeAll(handle: FileHandle, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.byteLength) {
    const { bytesWritten } = await handle.write(bytes, offset, bytes.byteLength - offset);
    offset += bytesWritten;
  }
}

function interrupted(transfer: BodyTransfer, loaded: number, total: number | undefined, reason: string, cause?: unknown): HubRequestError {
  return new HubRequestError({
    url: displayUrl(transfer.result.url),
    message: `The download of ${transfer.subject} was interrupted after ${loaded} of ${total ?? 'an unknown number of'} bytes: ${reason}.`,
    cause,
  });
}
