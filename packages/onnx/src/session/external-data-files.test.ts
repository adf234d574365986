import { describe, expect, it } from 'vitest';
import { UnsupportedModelError } from '@fillmask/core';
import { externalDataFilePaths } from './external-data-files.js';

describe('externalDataFilePaths', () => {
  it('places each file beside the graph file', () => {
    expect(externalDataFilePaths('hub:org/model@main', 'onnx/model.onnx', ['model.onnx_data', 'weights/part-1.bin'])).toEqual(
      new Map([
        ['model.onnx_data', 'onnx/model.onnx_data'],
        ['weights/part-1.bin', 'onnx/weights/part-1.bin'],
      ]),
    );
    expect(externalDataFilePaths('/models/bert', 'model.onnx', ['model.onnx_data'])).toEqual(
      new Map([['model.onnx_data', 'model.onnx_data']]),
    );
  });

  it('rejects a name outside the model folder with UnsupportedModelError naming it', () => {
    for (const location of ['../secret.bin', '/etc/passwd', 'a/../../b', 'C:\\data.bin', '', './model.onnx_data', 'a//b']) {
      let error: unknown;
      try {
        externalDataFilePaths('/models/bert', 'onnx/model.onnx', [location]);
      } catch (caught) {
        error = caught;
      }
      expect(UnsupportedModelError.isInstance(error), location).toBe(true);
      expect((error as Error).message).toContain(
        `names the external data file ${JSON.stringify(location)}, which is not a path inside the model's folder`,
      );
      expect((error as Error).message).toContain('/models/bert');
    }
  });
});
