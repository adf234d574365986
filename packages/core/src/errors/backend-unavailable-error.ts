import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.backend-unavailable');

/** The backend named in the config is unknown, or its package or runtime could not be loaded. */
export class BackendUnavailableError extends FillMaskError {
  private readonly [marker] = true;
  readonly backend: string;

  constructor({ backend, reason, cause }: { backend: string; reason: string; cause?: unknown }) {
    super('FillMask_BackendUnavailableError', `Backend ${JSON.stringify(backend)} is unavailable: ${reason}`, { cause });
    this.backend = backend;
  }

  static override isInstance(error: unknown): error is BackendUnavailableError {
    return hasMarker(error, marker);
  }
}
