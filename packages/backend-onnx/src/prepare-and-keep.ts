import { prepareBatchGraph, prepareFillMaskGraphs, type FillMaskGraphOptions, type PreparedGraph } from '@fillmask/onnx';
import { externalDataReader } from './external-data-reader.js';
import { preparedGraphCache, withoutBytes, type ModelFileIdentity } from './prepared-graph-cache.js';

/** A graph to prepare and keep in the prepared-graph cache, in a form a worker thread can receive. */
export interface PrepareAndKeepJob {
  /** The model's graph with its weights left in the file (`readModelFileByReference`). */
  readonly graphBytes: Uint8Array;
  /** The folder of the model file, where its weights are read. */
  readonly folder: string;
  /** Which graph: the one `prepareFillMaskGraphs` prepares, or `prepareBatchGraph`'s variant. */
  readonly graph: 'single' | 'batch';
  readonly options: Omit<FillMaskGraphOptions, 'readExternalData'>;
  readonly cacheFolder: string;
  readonly key: string;
  readonly model: ModelFileIdentity;
}

export type PrepareAndKeepOutcome =
  | { readonly kind: 'kept'; readonly path: string; readonly prepared: unknown }
  /** A graph the edits leave as it is: nothing to keep. */
  | { readonly kind: 'not-kept' };

/**
 * Prepares the graph and keeps it, returning what the preparation found without the graph's bytes.
 * A function of its own so a worker thread can run it (`prepareAndKeepInWorker`): the weights it reads
 * and the graph it writes are then freed with the worker, before onnxruntime opens the kept graph.
 */
export async function prepareAndKeep(job: PrepareAndKeepJob): Promise<PrepareAndKeepOutcome> {
  const options = { ...job.options, readExternalData: externalDataReader(job.folder) };
  const prepared = job.graph === 'single' ? prepareFillMaskGraphs(job.graphBytes, options) : prepareBatchGraph(job.graphBytes, options);
  const graph: PreparedGraph = 'single' in prepared ? prepared.single : prepared.graph;
  if (!graph.model) return { kind: 'not-kept' };
  const path = await preparedGraphCache(job.cacheFolder).write(job.key, job.model, graph.model, prepared);
  return { kind: 'kept', path, prepared: JSON.parse(JSON.stringify(prepared, withoutBytes)) };
}
