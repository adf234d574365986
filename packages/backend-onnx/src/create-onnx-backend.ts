import { UnsupportedModelError } from '@fillmask/core';
import { prepareBatchGraph, prepareFillMaskGraphs } from '@fillmask/core/graph';
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
      const debug = options.onDebug ?? defaultDebug;
      const sessionOptions = mergeSessionOptions(defaultSessionOptions(), options.sessionOptions);
      const graphOptions = { maskRowsOnly: options.maskRowsOnly, pointwiseConvolutions: convolutionScope(options.pointwiseConvolutions) };
      const graphs = prepareFillMaskGraphs(await files.read(modelFile), graphOptions);
      for (const note of graphs.notes) debug(`fillmask: ${modelFile} ${note}`);
      // A graph left as it is loads from its path when there is one, so onnxruntime finds any external data beside it.
      const single = graphs.single.model ?? (files.localPath ? await files.localPath(modelFile) : await files.read(modelFile));
      const open = async (source: string | Uint8Array): Promise<Ort.InferenceSession> => {
        try {
          return typeof source === 'string' ? await runtime.InferenceSession.create(source, sessionOptions) : await runtime.InferenceSession.create(source, sessionOptions);
        } catch (cause) {
          throw new UnsupportedModelError({
            model: files.location,
            reason: `onnxruntime could not load ${modelFile}: ${String((cause as Error)?.message ?? cause)}`,
            cause,
          });
        }
      };
      return OnnxSessionModel.create({
        session: await open(single),
        createInt64Tensor: (data, dims) => new runtime.Tensor('int64', data, dims),
        backendName: 'onnx',
        location: files.location,
        configVocabSize: config.vocab_size,
        positionsInput: graphs.single.positionsInput,
        batchInvariant: graphs.batchInvariant,
        ...(graphs.batchGraph && {
          batchGraph: {
            // Built from the file again when needed, so a model only ever filled one input at a time holds one graph.
            open: async () => {
              const { graph, note } = prepareBatchGraph(await files.read(modelFile), graphOptions);
              debug(`fillmask: ${modelFile} ${note}`);
              return { session: await open(graph.model), positionsInput: graph.positionsInput };
            },
            onOpenError: (error: unknown) => debug(`fillmask: ${modelFile}'s per-input quantized variant did not load, so batches run input by input: ${String(error)}`),
          },
        }),
      });
    },
  };
}

function convolutionScope(option: OnnxBackendOptions['pointwiseConvolutions']): false | 'mask-rows' | 'everywhere' {
  return option === 'everywhere' ? 'everywhere' : option === true ? 'mask-rows' : false;
}

function defaultDebug(message: string): void {
  if (/\bfillmask\b/.test(process.env.DEBUG ?? '')) console.debug(message);
}
