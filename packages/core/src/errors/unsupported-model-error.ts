import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.unsupported-model');

/** The model cannot fill masks: no mask token, unreadable tokenizer, unexpected graph outputs... */
export class UnsupportedModelError extends FillMaskError {
  private readonly [marker] = true;
  readonly model: string;

  constructor({ model, reason, cause }: { model: string; reason: string; cause?: unknown }) {
    super('FillMask_UnsupportedModelError', `Model ${model} cannot be used for fill-mask: ${reason}`, { cause });
    this.model = model;
  }

  static override isInstance(error: unknown): error is UnsupportedModelError {
    return hasMarker(error, marker);
  }
}
