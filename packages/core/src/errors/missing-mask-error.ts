import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.missing-mask');

/** The input text has no mask token for the model to fill. */
export class MissingMaskError extends FillMaskError {
  private readonly [marker] = true;
  readonly maskToken: string;
  readonly inputIndex: number | undefined;

  constructor({ maskToken, inputIndex }: { maskToken: string; inputIndex?: number }) {
    const where = inputIndex === undefined ? 'the input' : `input ${inputIndex}`;
    super('FillMask_MissingMaskError', `No mask token found in ${where}: write ${maskToken} where the model should fill in a word.`);
    this.maskToken = maskToken;
    this.inputIndex = inputIndex;
  }

  static override isInstance(error: unknown): error is MissingMaskError {
    return hasMarker(error, marker);
  }
}
