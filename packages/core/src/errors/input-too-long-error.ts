import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.input-too-long');

/** The tokenized input exceeds the model's maximum length and truncation was not asked for. */
export class InputTooLongError extends FillMaskError {
  private readonly [marker] = true;
  readonly length: number;
  readonly limit: number;
  readonly inputIndex: number | undefined;

  constructor({
    length,
    limit,
    inputIndex,
    masksSpan,
    advice,
  }: {
    length: number;
    limit: number;
    inputIndex?: number;
    masksSpan?: number;
    /** What the caller can do about it, when the fill-mask advice does not apply (scoring). */
    advice?: string;
  }) {
    const where = inputIndex === undefined ? 'The input' : `Input ${inputIndex}`;
    super(
      'FillMask_InputTooLongError',
      `${where} is ${length} tokens long (special tokens included) but the model accepts at most ${limit}. ` +
        (advice ??
          (masksSpan === undefined
            ? `Shorten it, or pass { truncation: true } to keep a window of ${limit} tokens around the masks.`
            : `Its masks span ${masksSpan} tokens, more than fit in one window: split it into several inputs.`)),
    );
    this.length = length;
    this.limit = limit;
    this.inputIndex = inputIndex;
  }

  static override isInstance(error: unknown): error is InputTooLongError {
    return hasMarker(error, marker);
  }
}
