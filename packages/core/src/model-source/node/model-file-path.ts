import { InvalidArgumentError } from '../../errors/invalid-argument-error.js';
import { isModelFilePath } from '../is-model-file-path.js';

/**
 * Checks a file path given to a ModelFiles: relative, `/`-separated, no `.` or `..` segment, so
 * that it can never reach outside the model folder or the cache.
 */
export function assertModelFilePath(file: string): void {
  if (!isModelFilePath(file)) {
    throw new InvalidArgumentError({
      argument: 'file path',
      value: file,
      expected: 'a relative path inside the model folder with / separators, e.g. "onnx/model.onnx"',
    });
  }
}
