import { openModel, UnsupportedModelError } from '@fillmask/core';
import { readFile, realpath } from 'node:fs/promises';
import { dirname } from 'node:path';
import {
  buildGraphFromFiles,
  createFillMaskSessionModel,
  externalDataLocations,
  logGraphNotes,
  prepareBatchGraph,
  prepareFillMaskGraphs,
  relocateExternalData,
  type ExternalDataReader,
  type FillMaskGraphOptions,
  type FillMaskGraphs,
  type PreparedGraph,
} from '@fillmask/onnx';
import type { LoadModelRequestV1, ModelBackendV1 } from '@fillmask/core';
import type * as Ort from 'onnxruntime-node';
import { builtGraphFile, defaultBuiltGraphCache } from './built-graph-cache.js';
import { externalDataOnDisk } from './external-data-on-disk.js';
import { externalDataReader } from './external-data-reader.js';
import type { OnnxBackendOptions } from './onnx-backend-options.js';
import { loadOnnxRuntime } from './load-onnx-runtime.js';
import {
  modelFolderOption,
  opensPathsWithFolderOption,
  readModelFileByReference,
  readsWeightsByReference,
} from './model-file-by-reference.js';
import { physicalCoreCount } from './physical-core-count.js';
import { prepareAndKeepInWorker } from './prepare-and-keep-in-worker.js';
import {
  defaultPreparedGraphCache,
  modelFileIdentity,
  preparedGraphCache,
  preparedGraphKey,
  type ModelFileIdentity,
  type PreparedGraphCache,
} from './prepared-graph-cache.js';
import { asksExactInt8Kernel, defaultSessionOptions, mergeSessionOptions } from './session-defaults.js';

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
    buildsFromWeights: true,
    async loadModel(request: LoadModelRequestV1) {
      const runtime = await loadOnnxRuntime(options.runtime);
      const debug = options.onDebug ?? defaultDebug;
      const { config } = request;
      const { files, modelFile, graph: builtGraph } = await graphOf(request, options, debug);
      const sessionOptions = mergeSessionOptions(defaultSessionOptions(), options.sessionOptions);
      const graphOptions = {
        maskRowsOnly: options.maskRowsOnly,
        pointwiseConvolutions: convolutionScope(options.pointwiseConvolutions),
        batchesOnly: options.expectBatches,
        // The runtime would convert int8 weights itself for its exact kernel, slowly, as it opens the session.
        // (On x64 only: elsewhere the setting does nothing.)
        unsignedInt8Weights: asksExactInt8Kernel(sessionOptions) && process.arch === 'x64',
      };
      const modelPath = builtGraph === undefined && files.localPath ? await files.localPath(modelFile) : undefined;
      const createWith =
        (opening: Ort.InferenceSession.SessionOptions) =>
        async (source: string | Uint8Array, folder: string | undefined): Promise<Ort.InferenceSession> => {
          try {
            const options = folder === undefined ? opening : mergeSessionOptions(opening, { extra: modelFolderOption(folder) });
            return typeof source === 'string'
              ? await runtime.InferenceSession.create(source, options)
              : await runtime.InferenceSession.create(source, options);
          } catch (cause) {
            const message = String((cause as Error)?.message ?? cause);
            throw new UnsupportedModelError({
              model: files.location,
              reason: undecodableGraph.test(message)
                ? notAnOnnxModel('onnxruntime', modelPath ?? modelFile)
                : `onnxruntime could not load ${modelFile}: ${message}`,
              cause,
            });
          }
        };
      const create = createWith(sessionOptions);
      const folderOption = readsWeightsByReference(runtime);
      const byReference = modelPath !== undefined && folderOption;
      const cacheFolder = options.preparedGraphCache ?? defaultPreparedGraphCache();
      const cache = cacheFolder === false ? undefined : { folder: cacheFolder, store: preparedGraphCache(cacheFolder) };
      const opensPathsWithFolder = opensPathsWithFolderOption(runtime);
      const source: GraphSource = {
        files,
        modelFile,
        modelPath,
        byReference,
        folderOption,
        opensPathsWithFolder,
        create,
        debug,
        builtGraph,
      };
      const { prepared: graphs, session } = await prepareAndOpen(
        { ...source, cache: cache && { ...cache, graph: 'single', options: graphOptions, accepts: isFillMaskGraphs } },
        (model, readExternalData) => prepareFillMaskGraphs(model, { ...graphOptions, readExternalData }),
        (prepared) => ({ graph: prepared.single, notes: prepared.notes }),
      );
      return createFillMaskSessionModel({
        request: { files, config, modelFile },
        backendName: 'onnx',
        session,
        createInt64Tensor: (data, dims) => new runtime.Tensor('int64', data, dims),
        graphs,
        // Its edits read the int8 weights from the file, one matrix at a time, to sum their columns.
        openBatchGraph: async () => {
          const { prepared, session: batchSession } = await prepareAndOpen(
            // Should the variant fail to run, batches fall back to one input at a time and onDebug says why:
            // onnxruntime's own log of the failure would only be noise on stderr.
            {
              ...source,
              create: createWith(mergeSessionOptions(sessionOptions, { logSeverityLevel: 4 })),
              cache: cache && { ...cache, graph: 'batch', options: graphOptions, accepts: isBatchGraph },
            },
            (model, readExternalData) => prepareBatchGraph(model, { ...graphOptions, readExternalData }),
            (batch) => ({ graph: batch.graph, notes: [batch.note] }),
          );
          return { session: batchSession, positionsInput: prepared.graph.positionsInput };
        },
        debug,
        // 0 or none: onnxruntime's own default, a thread per physical core.
        threads: sessionOptions.intraOpNumThreads || physicalCoreCount(),
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
  /** Leave the weights in the file (`readModelFileByReference`); false when the runtime cannot read them there. */
  readonly byReference: boolean;
  /** Whether the runtime finds the external data of a graph given as bytes in a folder it is told (onnxruntime 1.21+). */
  readonly folderOption: boolean;
  /** Whether it does so for a graph opened from its path too (`opensPathsWithFolderOption`). */
  readonly opensPathsWithFolder: boolean;
  /** Opens a graph from its path, or from bytes whose external data lies in `folder`. */
  readonly create: (source: string | Uint8Array, folder: string | undefined) => Promise<Ort.InferenceSession>;
  readonly debug: (message: string) => void;
  /** A graph built from weights in memory, read instead of `modelFile`. */
  readonly builtGraph?: Uint8Array;
  /**
   * Where a graph prepared from a file on disk is kept, what it was prepared with (part of its key),
   * and which records of what the preparation found are whole.
   */
  readonly cache?: {
    readonly folder: string;
    readonly store: PreparedGraphCache;
    readonly graph: 'single' | 'batch';
    readonly options: Omit<FillMaskGraphOptions, 'readExternalData'>;
    readonly accepts: (prepared: unknown) => boolean;
  };
}

/**
 * The ONNX graph to load: the model's export, or for a weights-only model the graph built from its
 * weights, kept in the built-graph cache (and then opened from there like an export) unless the
 * cache is off or the files are not on disk.
 */
async function graphOf(
  request: LoadModelRequestV1,
  options: OnnxBackendOptions,
  debug: (message: string) => void,
): Promise<{ files: LoadModelRequestV1['files']; modelFile: string; graph?: Uint8Array }> {
  const { files, modelFile } = request;
  if (request.modelFormat !== 'weights') return { files, modelFile };
  const cacheFolder = options.builtGraphCache ?? defaultBuiltGraphCache();
  const built = cacheFolder === false ? undefined : await builtGraphFile(request, cacheFolder);
  if (built === undefined) {
    debug(`fillmask: ${files.location} has no ONNX export: its graph is built from ${modelFile} in memory`);
    return { files, modelFile: 'onnx/model.onnx', graph: await buildGraphFromFiles(request) };
  }
  debug(
    `fillmask: ${files.location} has no ONNX export: its graph, built from ${modelFile}, ${built.cached ? 'is read from' : 'is kept in'} ${built.folder}`,
  );
  const cached = await openModel(built.folder);
  return { files: { ...cached, location: files.location }, modelFile: built.file };
}

/**
 * Prepares a graph and opens it, then logs its notes. By reference, neither JS nor a second copy
 * holds the weights at load, except those an edit reads through its reader (the convolution
 * rewrite's `[K, N]` matrices, which it transposes into the graph). A
 * graph by reference that fails to read or open is prepared again from the whole file, as it was
 * before weights went by reference. Files the graph keeps weights in (a `model.onnx_data`) are
 * fetched and found on disk first (`externalDataOnDisk`), and the graph names them as they are
 * there. `prepare` gets a reader of the weights outside the graph, for the edits that need values. A
 * function of its own, so no closure of the loaded model keeps the prepared bytes alive.
 */
async function prepareAndOpen<Prepared>(
  source: GraphSource,
  prepare: (model: Uint8Array, readExternalData: ExternalDataReader | undefined) => Prepared,
  describe: (prepared: Prepared) => { readonly graph: PreparedGraph; readonly notes: readonly string[] },
): Promise<{ prepared: Prepared; session: Ort.InferenceSession }> {
  const { files, modelFile, modelPath, create, debug } = source;
  const logNotes = (prepared: Prepared) => logGraphNotes(debug, modelFile, describe(prepared).notes);
  if (source.byReference && modelPath !== undefined) {
    const opened = await openByReference(source, modelPath, prepare, describe);
    // Whatever went wrong (a file that is no ONNX model, say) happens again below, with the error users get for it.
    if ('failure' in opened)
      debug(
        `fillmask: ${modelFile}: the graph with its weights left in the file did not load, so it is read whole: ${String(opened.failure)}`,
      );
    else {
      const { prepared, session } = opened;
      try {
        logNotes(prepared);
        debug(`fillmask: ${modelFile}: ${opened.opened}`);
      } catch (error) {
        await session.release();
        throw error;
      }
      return { prepared, session };
    }
  }
  let whole: Uint8Array | undefined = source.builtGraph ?? (await files.read(modelFile));
  let locations: ReturnType<typeof externalDataLocations>;
  try {
    locations = externalDataLocations(whole);
  } catch (cause) {
    throw new UnsupportedModelError({ model: files.location, reason: notAnOnnxModel('fillmask', modelPath ?? modelFile), cause });
  }
  const externalData =
    locations.length > 0
      ? await externalDataOnDisk(files, modelFile, locations, modelPath && dirname(await realpath(modelPath)))
      : undefined;
  if (externalData) whole = relocateExternalData(whole, externalData.relocation);
  // A runtime without the folder setting opens no rewritten graph with external data, so the edits get
  // no reader: no batch variant is promised it, and no weight in external data becomes a filter.
  let prepared: Prepared;
  try {
    prepared = prepare(whole, externalData && source.folderOption ? externalDataReader(externalData.folder) : undefined);
  } catch (cause) {
    // Bytes that are no model in the edits' eyes, or external data that ends too soon.
    throw new UnsupportedModelError({
      model: files.location,
      reason:
        (cause as Error)?.name === 'ProtobufFormatError'
          ? notAnOnnxModel('fillmask', modelPath ?? modelFile)
          : `${modelFile} could not be prepared: ${String((cause as Error)?.message ?? cause)}`,
      cause,
    });
  }
  logNotes(prepared);
  const rewritten = describe(prepared).graph.model;
  if (externalData && rewritten && !source.folderOption) {
    throw new UnsupportedModelError({
      model: files.location,
      reason: `${modelFile} keeps its weights in external data, which an onnxruntime older than 1.21 (or of unknown version) finds for a rewritten graph only in the working directory; update onnxruntime-node, or pass maskRowsOnly: false to load the graph as it is`,
    });
  }
  // A graph left as it is loads from its path when there is one, so onnxruntime maps it rather than
  // copying it. With external data, only for a runtime without the folder setting: one with it gets
  // the bytes, naming the files as they lie on disk once links are followed.
  const fromPath = !rewritten && modelPath !== undefined && (!externalData || !source.folderOption);
  const graph = rewritten ?? (fromPath ? modelPath : whole);
  // Not held while onnxruntime loads, unless it is the graph.
  whole = undefined;
  return { prepared, session: await create(graph, fromPath ? undefined : externalData?.folder) };
}

/**
 * The graph read with its weights left in the file, prepared and opened; or why not, for the whole
 * file to be read instead. A download of external data that fails rejects with its typed error.
 */
async function openByReference<Prepared>(
  source: GraphSource,
  modelPath: string,
  prepare: (model: Uint8Array, readExternalData: ExternalDataReader | undefined) => Prepared,
  describe: (prepared: Prepared) => { readonly graph: PreparedGraph },
): Promise<{ prepared: Prepared; session: Ort.InferenceSession; opened: string } | { failure: unknown }> {
  const { files, modelFile, cache } = source;
  const cached = cache && (await openCachedGraph<Prepared>(source, modelPath, cache));
  if (cached && 'session' in cached) return cached;
  let read: Awaited<ReturnType<typeof readModelFileByReference>> | undefined;
  try {
    // Int8 weight matrices too: the edits read only their shapes, or read them through the reader.
    read = await readModelFileByReference(modelPath, { integerMatrices: true });
  } catch (failure) {
    return { failure };
  }
  const { folder, referenced, bytesRead, externalDataLocations: locations } = read;
  let model: Uint8Array | undefined = read.model;
  // Only `model` holds the graph from here, so it can be let go before onnxruntime loads.
  read = undefined;
  if (locations.length > 0) {
    // Fetched here, so a failed download is reported as it is rather than retried.
    const externalData = await externalDataOnDisk(files, modelFile, locations, folder);
    if (externalData.folder !== folder)
      return {
        failure: `its external data lies in ${externalData.folder}, and the file itself in ${folder}: onnxruntime reads the weights from one folder`,
      };
    model = relocateExternalData(model, externalData.relocation);
  }
  // Kept unless it has external data files of its own, which the key does not cover.
  if (cache && cached?.key && cached.model && locations.length === 0) {
    const kept = await keepPreparedGraph<Prepared>(source, cache, { key: cached.key, model: cached.model, graphBytes: model, folder });
    if (kept) return 'failure' in kept ? kept : { ...kept, opened: `${opened(referenced, bytesRead)}; ${kept.opened}` };
  }
  try {
    const prepared = prepare(model, externalDataReader(folder));
    // A graph the edits left as it is still goes by reference.
    const graph = describe(prepared).graph.model ?? model;
    model = undefined;
    return { prepared, session: await source.create(graph, folder), opened: opened(referenced, bytesRead) };
  } catch (failure) {
    return { failure };
  }
}

/** The debug line of a graph read with its weights left in the file. */
function opened(referenced: number, bytesRead: number): string {
  return `onnxruntime reads ${referenced} weight tensors from the file itself; ${bytesRead} bytes of it were read here`;
}

/**
 * The graph prepared and kept in a worker thread (`prepareAndKeepInWorker`), whose garbage goes with
 * it, then opened from the kept file; undefined when there is nothing to keep or it could not be kept
 * (the caller then prepares it here).
 */
async function keepPreparedGraph<Prepared>(
  source: GraphSource,
  cache: NonNullable<GraphSource['cache']>,
  entry: { key: string; model: ModelFileIdentity; graphBytes: Uint8Array; folder: string },
): Promise<{ prepared: Prepared; session: Ort.InferenceSession; opened: string } | { failure: unknown } | undefined> {
  let outcome: Awaited<ReturnType<typeof prepareAndKeepInWorker>>;
  try {
    outcome = await prepareAndKeepInWorker({ ...entry, graph: cache.graph, options: cache.options, cacheFolder: cache.folder });
  } catch (error) {
    source.debug(`fillmask: ${source.modelFile}: the prepared graph could not be kept: ${String(error)}`);
    return undefined;
  }
  if (outcome.kind !== 'kept') return undefined;
  try {
    const session = await openKeptGraph(source, outcome.path, entry.folder);
    return { prepared: outcome.prepared as Prepared, session, opened: `the prepared graph is kept in ${outcome.path}` };
  } catch (failure) {
    await cache.store.remove(entry.key).catch(() => undefined);
    return { failure };
  }
}

/**
 * A kept graph opened: by path, or, for a runtime that resolves external data from the folder
 * setting only for graphs given as bytes (`opensPathsWithFolderOption`), from its bytes.
 */
async function openKeptGraph(source: GraphSource, path: string, folder: string): Promise<Ort.InferenceSession> {
  return source.create(source.opensPathsWithFolder ? path : new Uint8Array(await readFile(path)), folder);
}

/**
 * The model's prepared graph from the cache, opened; else its key, for the graph prepared now to be
 * kept under (undefined when the file cannot be keyed). An entry onnxruntime cannot open is removed.
 */
async function openCachedGraph<Prepared>(
  source: GraphSource,
  modelPath: string,
  cache: NonNullable<GraphSource['cache']>,
): Promise<{ prepared: Prepared; session: Ort.InferenceSession; opened: string } | { key?: string; model?: ModelFileIdentity }> {
  const target = await realpath(modelPath).catch(() => undefined);
  const model = target && (await modelFileIdentity(target).catch(() => undefined));
  if (!target || !model) return {};
  let key: string;
  try {
    key = preparedGraphKey(model, { graph: cache.graph, ...cache.options });
  } catch (error) {
    source.debug(`fillmask: ${source.modelFile}: prepared graphs are not kept: ${String(error)}`);
    return {};
  }
  const entry = await cache.store.read<Prepared>(key, cache.accepts).catch(() => undefined);
  if (!entry) return { key, model };
  try {
    const session = await openKeptGraph(source, entry.path, dirname(target));
    return {
      prepared: entry.prepared,
      session,
      opened: `the prepared graph is read from ${entry.path}; onnxruntime reads the weights it left as they were from the file itself`,
    };
  } catch (error) {
    const reason = (error as { cause?: unknown })?.cause ?? error;
    source.debug(
      `fillmask: ${source.modelFile}: the prepared graph in ${entry.path} did not open, so it is prepared again: ${String((reason as Error)?.message ?? reason)}`,
    );
    await cache.store.remove(key).catch(() => undefined);
    return { key, model };
  }
}

/** What onnxruntime says of bytes that are no ONNX model: an empty or cut file parses to no graph, or not at all. */
const undecodableGraph = /Protobuf parsing failed|does not have a graph|No graph was found/i;

/**
 * The reason given for a graph file that does not decode (a download cut short, an empty file,
 * another file under its name), naming the file and who failed to read it (fillmask's graph reader or
 * onnxruntime); the reader's own words (`field 7 at byte 40...`, onnxruntime's C++) stay in the cause.
 */
function notAnOnnxModel(reader: 'fillmask' | 'onnxruntime', file: string): string {
  return `${reader} could not load ${file}: the file is truncated or not an ONNX model. Download or export it again.`;
}

function convolutionScope(option: OnnxBackendOptions['pointwiseConvolutions'] = true): false | 'mask-rows' | 'everywhere' {
  return option === 'everywhere' ? 'everywhere' : option === true ? 'mask-rows' : false;
}

/** `DEBUG=fillmask` lines go to stderr (as the `debug` package writes them), never into a program's stdout. */
function defaultDebug(message: string): void {
  if (/\bfillmask\b/.test(process.env.DEBUG ?? '')) process.stderr.write(`${message}\n`);
}

/** A record of `prepareFillMaskGraphs`'s findings as the cache keeps them (the graph's bytes left out). */
function isFillMaskGraphs(value: unknown): value is FillMaskGraphs {
  const graphs = value as Partial<FillMaskGraphs> | null;
  return (
    typeof graphs?.single === 'object' &&
    graphs.single !== null &&
    ['batchGraph', 'batchInvariant', 'paddingDependent'].every((flag) => typeof (graphs as Record<string, unknown>)[flag] === 'boolean') &&
    Array.isArray(graphs.notes) &&
    graphs.notes.every((note) => typeof note === 'string')
  );
}

/** A record of `prepareBatchGraph`'s findings as the cache keeps them. */
function isBatchGraph(value: unknown): value is { graph: PreparedGraph; note: string } {
  const batch = value as { graph?: unknown; note?: unknown } | null;
  return typeof batch?.graph === 'object' && batch.graph !== null && typeof batch.note === 'string';
}
