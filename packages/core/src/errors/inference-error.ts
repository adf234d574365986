import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.inference');

/** The backend failed while running the model; `cause` holds the runtime's own error. */
export class InferenceError extends FillMaskError {
  private readonly [marker] = true;
  readonly backend: string;

  constructor({ backend, message, cause }: { backend: string; message: string; cause?: unknown }) {
    super('FillMask_InferenceError', `${backend} backend: ${message}`, { cause });
    this.backend = backend;
  }

  static override isInstance(error: unknown): error is InferenceError {
    return hasMarker(error, marker);
  }
}
