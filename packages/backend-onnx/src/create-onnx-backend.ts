import { UnsupportedModelError } from '@fillmask/core';
import { dirname } from 'node:path';
import { prepareBatchGraph, prepareFillMaskGraphs, type PreparedGraph } from '@fillmask/core/graph';
import type { LoadModelRequestV1, ModelBackendV1 } from '@fillmask/core';
import type * as Ort from 'onnxruntime-node';
import type { OnnxBackendOptions } from './onnx-backend-options.js';
import { loadOnnxRuntime } from './load-onnx-runtime.js';
import { modelFolderOption, readModelFileByReference } from './model-file-by-reference.js';
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
      const modelPath = files.localPath ? await files.localPath(modelFile) : undefined;
      /** Opens a graph from its path, or from bytes whose external data lies in `folder` (by default the model file's). */
      const create = async (source: string | Uint8Array, folder = modelPath && dirname(modelPath)): Promise<Ort.InferenceSession> => {
        try {
          if (typeof source === 'string') return await runtime.InferenceSession.create(source, sessionOptions);
          return await runtime.InferenceSession.create(source, folder === undefined ? sessionOptions : mergeSessionOptions(sessionOptions, { extra: modelFolderOption(folder) }));
        } catch (cause) {
          throw new UnsupportedModelError({
            model: files.location,
            reason: `onnxruntime could not load ${modelFile}: ${String((cause as Error)?.message ?? cause)}`,
            cause,
          });
        }
      };
      const source: GraphSource = { files, modelFile, modelPath, byReference: modelPath !== undefined && !graphOptions.pointwiseConvolutions, create, debug };
      const prepareGraphs = (model: Uint8Array) => {
        const prepared = prepareFillMaskGraphs(model, graphOptions);
        for (const note of prepared.notes) debug(`fillmask: ${modelFile} ${note}`);
        return prepared;
      };
      const { prepared: graphs, session } = await prepareAndOpen(source, prepareGraphs, (prepared) => prepared.single);
      const { single, batchInvariant, batchGraph } = graphs;
      return OnnxSessionModel.create({
        session,
        createInt64Tensor: (data, dims) => new runtime.Tensor('int64', data, dims),
        backendName: 'onnx',
        location: files.location,
        configVocabSize: config.vocab_size,
        positionsInput: single.positionsInput,
        batchInvariant,
        ...(batchGraph && {
          batchGraph: {
            // Built from the file again when needed, so a model only ever filled one input at a time holds one graph.
            open: async () => {
              const prepareBatch = (model: Uint8Array) => {
                const prepared = prepareBatchGraph(model, graphOptions);
                debug(`fillmask: ${modelFile} ${prepared.note}`);
                return prepared;
              };
              const { prepared, session: batchSession } = await prepareAndOpen(source, prepareBatch, (batch) => batch.graph);
              return { session: batchSession, positionsInput: prepared.graph.positionsInput };
            },
            onOpenError: (error: unknown) => debug(`fillmask: ${modelFile}'s per-input quantized variant did not load, so batches run input by input: ${String(error)}`),
          },
        }),
      });
    },
  };
}

/** Where a model's graph comes from, and how to open one. */
interface GraphSource {
  readonly files: LoadModelRequestV1['files'];
  readonly modelFile: string;
  /** The file on disk, when the model source has one. */
  readonly modelPath: string | undefined;
  /** Leave the weights in the file (`readModelFileByReference`); false when a rewrite needs them in memory. */
  readonly byReference: boolean;
  readonly create: (source: string | Uint8Array, externalDataFolder?: string) => Promise<Ort.InferenceSession>;
  readonly debug: (message: string) => void;
}

/**
 * Prepares a graph and opens it. By reference, neither JS nor a second copy holds the weights at
 * load; the convolution rewrite transposes them, so it reads the whole file. A graph by reference
 * that fails to read or open (an onnxruntime older than the folder setting) is prepared again from
 * the whole file, as it was before weights went by reference.
 * A function of its own, so no closure of the loaded model keeps the prepared bytes alive.
 */
async function prepareAndOpen<Prepared>(
  source: GraphSource,
  prepare: (model: Uint8Array) => Prepared,
  graphOf: (prepared: Prepared) => PreparedGraph,
): Promise<{ prepared: Prepared; session: Ort.InferenceSession }> {
  const { files, modelFile, modelPath, create, debug } = source;
  if (source.byReference && modelPath !== undefined) {
    try {
      const byReference = await readModelFileByReference(modelPath);
      const prepared = prepare(byReference.model);
      const session = await create(graphOf(prepared).model ?? modelPath, byReference.folder);
      debug(`fillmask: ${modelFile}: onnxruntime reads ${byReference.referenced} weight tensors from the file itself; ${byReference.bytesRead} bytes of it were read here`);
      return { prepared, session };
    } catch (error) {
      // Whatever went wrong (a file that is no ONNX model, say) happens again below, with the error users get for it.
      debug(`fillmask: ${modelFile}: the graph with its weights left in the file did not load, so it is read whole: ${String(error)}`);
    }
  }
  const prepared = prepare(await files.read(modelFile));
  // A graph left as it is loads from its path when there is one, so onnxruntime finds any external data beside it.
  return { prepared, session: await create(graphOf(prepared).model ?? modelPath ?? (await files.read(modelFile))) };
}

function convolutionScope(option: OnnxBackendOptions['pointwiseConvolutions']): false | 'mask-rows' | 'everywhere' {
  return option === 'everywhere' ? 'everywhere' : option === true ? 'mask-rows' : false;
}

function defaultDebug(message: string): void {
  if (/\bfillmask\b/.test(process.env.DEBUG ?? '')) console.debug(message);
}
