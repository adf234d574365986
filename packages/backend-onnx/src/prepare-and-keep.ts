import { dirname } from 'node:path';
import { prepareBatchGraph, prepareFillMaskGraphs, type FillMaskGraphOptions, type PreparedGraph } from '@fillmask/onnx';
import { externalDataReader } from './external-data-reader.js';
import { readModelFileByReference } from './model-file-by-reference.js';
import { preparedGraphCache, withoutBytes, type ModelFileIdentity } from './prepared-graph-cache.js';

/** A graph to prepare from a model file on disk and keep in the prepared-graph cache, in a form a worker thread can receive. */
export interface PrepareAndKeepJob {
  /** The model file's real path. */
  readonly modelPath: string;
  /** Which graph: the one `prepareFillMaskGraphs` prepares, or `prepareBatchGraph`'s variant. */
  readonly graph: 'single' | 'batch';
  readonly options: Omit<FillMaskGraphOptions, 'readExternalData'>;
  readonly cacheFolder: string;
  readonly key: string;
  readonly model: ModelFileIdentity;
}

export type PrepareAndKeepOutcome =
  | { readonly kind: 'kept'; readonly path: string; readonly prepared: unknown; readonly referenced: number; readonly bytesRead: number }
  /** A file with external data of its own, or a graph the edits leave as it is: nothing to keep. */
  | { readonly kind: 'not-kept' };

/**
 * Reads the model file with its weights left in it, prepares the graph and keeps it, returning what
 * the preparation found without the graph's bytes. A function of its own so a worker thread can run
 * it (`prepareAndKeepInWorker`): the weights it reads and the graph it writes are then freed with the
 * worker, before onnxruntime opens the kept graph.
 */
export async function prepareAndKeep(job: PrepareAndKeepJob): Promise<PrepareAndKeepOutcome> {
  const read = await readModelFileByReference(job.modelPath, { integerMatrices: true });
  if (read.externalDataLocations.length > 0) return { kind: 'not-kept' };
  const options = { ...job.options, readExternalData: externalDataReader(dirname(job.modelPath)) };
  const prepared = job.graph === 'single' ? prepareFillMaskGraphs(read.model, options) : prepareBatchGraph(read.model, options);
  const graph: PreparedGraph = 'single' in prepared ? prepared.single : prepared.graph;
  if (!graph.model) return { kind: 'not-kept' };
  const path = await preparedGraphCache(job.cacheFolder).write(job.key, job.model, graph.model, prepared);
  return {
    kind: 'kept',
    path,
    prepared: JSON.parse(JSON.stringify(prepared, withoutBytes)),
    referenced: read.referenced,
    bytesRead: read.bytesRead,
  };
}
