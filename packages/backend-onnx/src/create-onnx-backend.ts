import { availableParallelism } from 'node:os';
import { UnsupportedModelError } from '@fillmask/core';
import type { FillMaskBackendV1, LoadModelRequestV1 } from '@fillmask/core';
import type * as Ort from 'onnxruntime-node';
import type { OnnxBackendOptions } from './onnx-backend-options.js';
import { loadOnnxRuntime } from './load-onnx-runtime.js';
import { OnnxBackendModel } from './onnx-backend-model.js';

/**
 * The onnxruntime-node backend.
 *
 * @example
 * const fillMask = await createFillMask({ model, backend: createOnnxBackend({ sessionOptions: { intraOpNumThreads: 2 } }) });
 */
export function createOnnxBackend(options: OnnxBackendOptions = {}): FillMaskBackendV1 {
  return {
    specificationVersion: 'v1',
    name: 'onnx',
    async loadModel({ files, config, modelFile }: LoadModelRequestV1) {
      const runtime = await loadOnnxRuntime(options.runtime);
      // A path lets onnxruntime map the file itself instead of copying it through the JS heap.
      const source = files.localPath ? await files.localPath(modelFile) : await files.read(modelFile);
      const sessionOptions: Ort.InferenceSession.SessionOptions = {
        graphOptimizationLevel: 'all',
        intraOpNumThreads: availableParallelism(),
        ...options.sessionOptions,
      };
      let session: Ort.InferenceSession;
      try {
        session =
          typeof source === 'string'
            ? await runtime.InferenceSession.create(source, sessionOptions)
            : await runtime.InferenceSession.create(source, sessionOptions);
      } catch (cause) {
        throw new UnsupportedModelError({
          model: files.location,
          reason: `onnxruntime could not load ${modelFile}: ${String((cause as Error)?.message ?? cause)}`,
          cause,
        });
      }
      return OnnxBackendModel.create(runtime, session, files.location, config.vocab_size);
    },
  };
}
