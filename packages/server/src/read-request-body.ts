import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error.js';

/**
 * The whole body, or a 413 HttpError as soon as it exceeds `maxBytes` (at once when Content-Length
 * says so). The stream is left open so that the 413 can still be sent: see `discardRequestBody`.
 */
export function readRequestBody(request: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      cleanup();
      reject(tooLarge(maxBytes));
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onError);
  });
}

/**
 * Reads and drops what is left of a refused body, so that the client, still sending, gets to read
 * the answer instead of a reset connection; past `limitBytes` the connection is cut.
 */
export function discardRequestBody(request: IncomingMessage, limitBytes: number): void {
  let discarded = 0;
  request.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > limitBytes) request.socket.destroy();
  });
  request.resume();
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(413, `The request body is larger than the server accepts (${maxBytes} bytes).`, 'body-too-large');
}
