import { UnsupportedModelError } from '@fillmask/core';
import { gatherMaskRows } from '@fillmask/core/graph';
import type { LoadModelRequestV1, ModelBackendV1 } from '@fillmask/core';
import type * as Ort from 'onnxruntime-node';
import type { OnnxBackendOptions } from './onnx-backend-options.js';
import { loadOnnxRuntime } from './load-onnx-runtime.js';
import { OnnxSessionModel } from '@fillmask/core/onnx';
import { defaultSessionOptions, mergeSessionOptions } from './session-defaults.js';

/**
 * The onnxruntime-node backend.
 *
 * @example
 * const fillMask = await createFillMask({ model, backend: createOnnxBackend({ sessionOptions: { intraOpNumThreads: 2 } }) });
 */
export function createOnnxBackend(options: OnnxBackendOptions = {}): ModelBackendV1 {
  return {
    specificationVersion: 'v1',
    name: 'onnx',
    async loadModel({ files, config, modelFile }: LoadModelRequestV1) {
      const runtime = await loadOnnxRuntime(options.runtime);
      const { source, positionsInput } = await prepareGraph(files, modelFile, options);
      const sessionOptions = mergeSessionOptions(defaultSessionOptions(), options.sessionOptions);
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
      return OnnxSessionModel.create({
        session,
        createInt64Tensor: (data, dims) => new runtime.Tensor('int64', data, dims),
        backendName: 'onnx',
        location: files.location,
        configVocabSize: config.vocab_size,
        positionsInput,
      });
    },
  };
}

/**
 * The graph to load: rewritten to project only the mask rows when possible, else as it is (by
 * path when there is one, so onnxruntime reads the file itself).
 */
async function prepareGraph(
  files: LoadModelRequestV1['files'],
  modelFile: string,
  options: OnnxBackendOptions,
): Promise<{ source: string | Uint8Array; positionsInput?: string }> {
  const debug = options.onDebug ?? defaultDebug;
  if (options.maskRowsOnly !== false) {
    const rewrite = gatherMaskRows(await files.read(modelFile));
    if (rewrite.rewritten) {
      debug(`fillmask: ${modelFile} rewritten: ${rewrite.maskRowOps} ops, the vocabulary projection among them, run on the mask rows only`);
      return { source: rewrite.model, positionsInput: rewrite.positionsInput };
    }
    debug(`fillmask: ${modelFile} runs unchanged, computing logits at every position: ${rewrite.reason}`);
  }
  return { source: files.localPath ? await files.localPath(modelFile) : await files.read(modelFile) };
}

function defaultDebug(message: string): void {
  if (/\bfillmask\b/.test(process.env.DEBUG ?? '')) console.debug(message);
}
