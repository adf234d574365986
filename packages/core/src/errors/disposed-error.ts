import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.disposed');

/** A call was made on a fill-mask object (or backend model) after `dispose()`. */
export class DisposedError extends FillMaskError {
  private readonly [marker] = true;

  constructor(what: string) {
    super('FillMask_DisposedError', `${what} was disposed; create a new one to run more calls.`);
  }

  static override isInstance(error: unknown): error is DisposedError {
    return hasMarker(error, marker);
  }
}
