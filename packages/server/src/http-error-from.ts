import {
  DisposedError,
  FillMaskError,
  InputTooLongError,
  InvalidArgumentError,
  MissingMaskError,
  RemoteRequestError,
} from '@fillmask/core';
import { HttpError } from './http-error.js';

/**
 * The answer for an error of the model or of one input. An input's error is reworded with its place
 * in the request (`inputIndex`, undefined for a single string): the batch it ran in is not the caller's.
 */
export function httpErrorFrom(error: unknown, inputIndex?: number): HttpError {
  if (error instanceof HttpError) return error;
  if (MissingMaskError.isInstance(error)) {
    return new HttpError(400, new MissingMaskError({ maskToken: error.maskToken, inputIndex }).message, 'missing-mask');
  }
  if (InputTooLongError.isInstance(error)) {
    const masksSpan = /Its masks span (\d+) tokens/.exec(error.message)?.[1];
    const reworded = new InputTooLongError({
      length: error.length,
      limit: error.limit,
      inputIndex,
      masksSpan: masksSpan === undefined ? undefined : Number(masksSpan),
      // The advice in the protocol's own terms, not the JavaScript API's.
      ...(masksSpan === undefined && {
        advice: `Shorten it, or send "parameters": {"tokenizer_kwargs": {"truncation": true}} to keep a window of ${error.limit} tokens around the masks.`,
      }),
    });
    return new HttpError(400, reworded.message, 'input-too-long');
  }
  if (InvalidArgumentError.isInstance(error)) return new HttpError(400, error.message, 'invalid-argument');
  if (DisposedError.isInstance(error)) return new HttpError(503, 'The model is shutting down.', 'disposed', { 'Retry-After': '1' });
  if (RemoteRequestError.isInstance(error)) {
    // This server fronts another service, which failed: a gateway error, retryable when that one was.
    if (!error.isRetryable) return new HttpError(502, error.message, 'upstream-error');
    const seconds = Math.max(1, Math.ceil((error.retryAfterMs ?? 1000) / 1000));
    return new HttpError(503, error.message, 'upstream-unavailable', { 'Retry-After': String(seconds) });
  }
  if (FillMaskError.isInstance(error)) return new HttpError(500, error.message, 'inference-error');
  return new HttpError(500, 'The model failed to run; see the server log.', 'internal-error');
}
