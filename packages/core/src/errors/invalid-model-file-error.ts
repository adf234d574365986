import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.invalid-model-file');

/**
 * A file of the model exists but cannot be read safely: a weights file whose header lies about its
 * offsets, a truncated archive, a pickle that names a global outside the allow-list... `reason` says what.
 */
export class InvalidModelFileError extends FillMaskError {
  private readonly [marker] = true;
  readonly model: string;
  readonly file: string;
  readonly reason: string;

  constructor({ model, file, reason, cause }: { model: string; file: string; reason: string; cause?: unknown }) {
    super('FillMask_InvalidModelFileError', `Cannot read ${file} of model ${model}: ${reason}`, { cause });
    this.model = model;
    this.file = file;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is InvalidModelFileError {
    return hasMarker(error, marker);
  }
}
