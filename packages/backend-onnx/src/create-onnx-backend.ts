import { UnsupportedModelError } from '@fillmask/core';
import { dirname } from 'node:path';
import { externalDataLocations, prepareBatchGraph, prepareFillMaskGraphs, relocateExternalData, type PreparedGraph } from '@fillmask/core/graph';
import type { LoadModelRequestV1, ModelBackendV1 } from '@fillmask/core';
import type * as Ort from 'onnxruntime-node';
import { externalDataOnDisk } from './external-data-on-disk.js';
import type { OnnxBackendOptions } from './onnx-backend-options.js';
import { loadOnnxRuntime } from './load-onnx-runtime.js';
import { modelFolderOption, readModelFileByReference, readsWeightsByReference } from './model-file-by-reference.js';
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
      const byReference = modelPath !== undefined && !graphOptions.pointwiseConvolutions && readsWeightsByReference(runtime);
      const source: GraphSource = { files, modelFile, modelPath, byReference, create, debug };
      // The graph for one input reads no int8 weight, only their shapes, so those stay in the file too.
      const singleSource = { ...source, integerMatrices: true };
      const { prepared: graphs, session } = await prepareAndOpen(singleSource, (model) => prepareFillMaskGraphs(model, graphOptions), (prepared) => ({ graph: prepared.single, notes: prepared.notes }));
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
              // Its edits sum the int8 weights' columns, so those are read.
              const { prepared, session: batchSession } = await prepareAndOpen(source, (model) => prepareBatchGraph(model, graphOptions), (batch) => ({ graph: batch.graph, notes: [batch.note] }));
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
  /** Leave the weights in the file (`readModelFileByReference`); false when a rewrite needs them in memory, or the runtime cannot read them there. */
  readonly byReference: boolean;
  /** By reference, int8 weight matrices too (`readModelWithWeightsByReference`'s `integerMatrices`). */
  readonly integerMatrices?: boolean;
  readonly create: (source: string | Uint8Array, externalDataFolder?: string) => Promise<Ort.InferenceSession>;
  readonly debug: (message: string) => void;
}

/**
 * Prepares a graph and opens it, then logs its notes. By reference, neither JS nor a second copy
 * holds the weights at load; the convolution rewrite transposes them, so it reads the whole file. A
 * graph by reference that fails to read or open is prepared again from the whole file, as it was
 * before weights went by reference. Files the graph keeps weights in (a `model.onnx_data`) are
 * fetched and found on disk first (`externalDataOnDisk`), and the graph names them as they are
 * there. A function of its own, so no closure of the loaded model keeps the prepared bytes alive.
 */
async function prepareAndOpen<Prepared>(
  source: GraphSource,
  prepare: (model: Uint8Array) => Prepared,
  describe: (prepared: Prepared) => { readonly graph: PreparedGraph; readonly notes: readonly string[] },
): Promise<{ prepared: Prepared; session: Ort.InferenceSession }> {
  const { files, modelFile, modelPath, create, debug } = source;
  const logNotes = (prepared: Prepared) => describe(prepared).notes.forEach((note) => debug(`fillmask: ${modelFile} ${note}`));
  if (source.byReference && modelPath !== undefined) {
    let read: Awaited<ReturnType<typeof readModelFileByReference>> | undefined;
    try {
      read = await readModelFileByReference(modelPath, { integerMatrices: source.integerMatrices });
    } catch (error) {
      // Whatever went wrong (a file that is no ONNX model, say) happens again below, with the error users get for it.
      debug(`fillmask: ${modelFile}: the graph with its weights left in the file did not load, so it is read whole: ${String(error)}`);
    }
    // Fetched before the attempt, so a failed download is reported as it is rather than retried.
    const externalData = read && read.externalDataLocations.length > 0 ? await externalDataOnDisk(files, modelFile, read.externalDataLocations) : undefined;
    let opened: { prepared: Prepared; session: Ort.InferenceSession } | undefined;
    if (read) {
      try {
        if (externalData && externalData.folder !== read.folder) {
          throw new Error(`its external data lies in ${externalData.folder}, and the file itself in ${read.folder}: onnxruntime reads the weights from one folder`);
        }
        const model = externalData ? relocateExternalData(read.model, externalData.relocation) : read.model;
        const prepared = prepare(model);
        // A graph the edits left as it is still goes by reference.
        opened = { prepared, session: await create(describe(prepared).graph.model ?? model, read.folder) };
      } catch (error) {
        debug(`fillmask: ${modelFile}: the graph with its weights left in the file did not load, so it is read whole: ${String(error)}`);
      }
    }
    if (read && opened) {
      const { prepared, session } = opened;
      try {
        logNotes(prepared);
        debug(`fillmask: ${modelFile}: onnxruntime reads ${read.referenced} weight tensors from the file itself; ${read.bytesRead} bytes of it were read here`);
      } catch (error) {
        await session.release();
        throw error;
      }
      return { prepared, session };
    }
  }
  let whole: Uint8Array | undefined = await files.read(modelFile);
  const locations = externalDataLocations(whole);
  const externalData = locations.length > 0 ? await externalDataOnDisk(files, modelFile, locations) : undefined;
  if (externalData) whole = relocateExternalData(whole, externalData.relocation);
  const prepared = prepare(whole);
  logNotes(prepared);
  // A graph left as it is loads from its path when there is one (and no external data, which may be
  // reached through links), so onnxruntime maps it rather than copying it.
  const graph = describe(prepared).graph.model ?? (externalData ? undefined : modelPath) ?? whole;
  // Not held while onnxruntime loads, unless it is the graph.
  whole = undefined;
  return { prepared, session: await create(graph, externalData?.folder) };
}

function convolutionScope(option: OnnxBackendOptions['pointwiseConvolutions']): false | 'mask-rows' | 'everywhere' {
  return option === 'everywhere' ? 'everywhere' : option === true ? 'mask-rows' : false;
}

function defaultDebug(message: string): void {
  if (/\bfillmask\b/.test(process.env.DEBUG ?? '')) console.debug(message);
}
