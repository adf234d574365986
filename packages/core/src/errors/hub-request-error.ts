import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.hub-request');

/**
 * A download from the Hugging Face Hub failed: an HTTP error (`status` set: 401 gated or private
 * without a valid token, 404 no such repository, revision or file) or a network failure (`status`
 * undefined). The message never contains the access token.
 */
export class HubRequestError extends FillMaskError {
  private readonly [marker] = true;
  readonly url: string;
  readonly status: number | undefined;
  /** The Hub's `X-Error-Code` header when it sent one: RepoNotFound, EntryNotFound, RevisionNotFound, GatedRepo. */
  readonly errorCode: string | undefined;
  readonly requestId: string | undefined;

  constructor(options: { url: string; message: string; status?: number; errorCode?: string; requestId?: string; cause?: unknown }) {
    super('FillMask_HubRequestError', options.message, { cause: options.cause });
    this.url = options.url;
    this.status = options.status;
    this.errorCode = options.errorCode;
    this.requestId = options.requestId;
  }

  static override isInstance(error: unknown): error is HubRequestError {
    return hasMarker(error, marker);
  }
}
