import { FillMaskError, hasMarker } from './fill-mask-error.js';

const marker = Symbol.for('fillmask.error.model-file-not-found');

/** A file the model needs (tokenizer.json, onnx/model.onnx, ...) is not in the model folder or repository. */
export class ModelFileNotFoundError extends FillMaskError {
  private readonly [marker] = true;
  readonly model: string;
  readonly file: string;

  constructor({ model, file, hint, cause }: { model: string; file: string; hint?: string; cause?: unknown }) {
    super('FillMask_ModelFileNotFoundError', `Model ${model} has no file ${file}.${hint ? ` ${hint}` : ''}`, { cause });
    this.model = model;
    this.file = file;
  }

  static override isInstance(error: unknown): error is ModelFileNotFoundError {
    return hasMarker(error, marker);
  }
}
