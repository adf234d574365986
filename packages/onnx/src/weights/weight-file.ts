import { InvalidModelFileError } from '@fillmask/core';

/** Which file of which model a reader is reading: what its errors name. */
export interface WeightFileRef {
  /** Where the model comes from (`ModelFiles.location`). */
  readonly model: string;
  /** The file's path in the model, as the caller named it. */
  readonly file: string;
}

/** The typed error every weights reader throws for bytes it refuses: names the file and says what is wrong. */
export function invalidWeightFile(where: WeightFileRef, reason: string, cause?: unknown): InvalidModelFileError {
  return new InvalidModelFileError({ model: where.model, file: where.file, reason, cause });
}
