import { HubRequestError } from '../../errors/hub-request-error.js';
import type { DownloadProgressCallback } from '../download-progress.js';

export interface ReadBodyRequest {
  readonly response: Response;
  /** The file, relative to the model folder, for progress reports and messages. */
  readonly file: string;
  /** The URL for messages, without query string (a CDN URL carries its signature there). */
  readonly displayUrl: string;
  readonly onProgress: DownloadProgressCallback | undefined;
}

/**
 * Reads a response body chunk by chunk, reporting progress, and checks it is whole: a body that
 * ends before its Content-Length is an error, never a file. (A compressed body is longer than its
 * Content-Length once decoded, so only a shortfall is checked.)
 */
export async function readResponseBody({ response, file, displayUrl, onProgress }: ReadBodyRequest): Promise<Uint8Array> {
  const announced = Number(response.headers.get('content-length') ?? Number.NaN);
  const totalBytes = Number.isFinite(announced) && announced >= 0 ? announced : undefined;
  const chunks: Uint8Array[] = [];
  let loadedBytes = 0;
  onProgress?.({ file, status: 'download', loadedBytes, totalBytes });
  try {
    if (response.body) {
      const reader = response.body.getReader();
      for (let next = await reader.read(); !next.done; next = await reader.read()) {
        chunks.push(next.value);
        loadedBytes += next.value.byteLength;
        onProgress?.({ file, status: 'download', loadedBytes, totalBytes });
      }
    } else {
      const whole = new Uint8Array(await response.arrayBuffer());
      chunks.push(whole);
      loadedBytes = whole.byteLength;
    }
  } catch (cause) {
    throw new HubRequestError({
      url: displayUrl,
      message: `Downloading ${file} from ${displayUrl} broke off after ${loadedBytes} bytes: ${describeError(cause)}`,
      cause,
    });
  }
  if (totalBytes !== undefined && loadedBytes < totalBytes) {
    throw new HubRequestError({
      url: displayUrl,
      message: `Downloading ${file} from ${displayUrl} ended after ${loadedBytes} of ${totalBytes} bytes.`,
    });
  }
  return concatenate(chunks, loadedBytes);
}

function concatenate(chunks: readonly Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
