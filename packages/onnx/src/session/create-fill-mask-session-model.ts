import type { LoadModelRequestV1 } from '@fillmask/core';
import type { FillMaskGraphs } from '../graph/prepare-fill-mask-graphs.js';
import type { Int64TensorFactory, OnnxSessionLike } from './onnx-runtime-types.js';
import { batchTokensForThreads } from './batch-tokens-for-threads.js';
import { OnnxSessionModel } from './onnx-session-model.js';

/** A session opened on a prepared graph, and what a backend knows about it. */
export interface FillMaskSessionParts {
  readonly request: Pick<LoadModelRequestV1, 'files' | 'config' | 'modelFile'>;
  /** The backend's name, for errors: `onnx`, `web`. */
  readonly backendName: string;
  readonly session: OnnxSessionLike;
  readonly createInt64Tensor: Int64TensorFactory;
  readonly graphs: Pick<FillMaskGraphs, 'single' | 'batchGraph' | 'batchInvariant' | 'paddingDependent'>;
  /**
   * Prepares and opens `prepareBatchGraph`'s variant, when `graphs.batchGraph` asks for one. Called
   * when the first batch of several inputs comes, and built from the file again then, so that a model
   * only ever filled one input at a time holds one graph.
   */
  readonly openBatchGraph: () => Promise<{ readonly session: OnnxSessionLike; readonly positionsInput?: string }>;
  readonly debug: (message: string) => void;
  /** The runtime's intra-op (or WebAssembly) threads, which size the token budget core batches by; left out, core's default. */
  readonly threads?: number;
}

/** The loaded model both ONNX backends return: the session behind the backend contract, with its batch graph wired in. */
export function createFillMaskSessionModel(parts: FillMaskSessionParts): Promise<OnnxSessionModel> {
  const { request, graphs, debug } = parts;
  return OnnxSessionModel.create({
    session: parts.session,
    createInt64Tensor: parts.createInt64Tensor,
    backendName: parts.backendName,
    location: request.files.location,
    configVocabSize: request.config.vocab_size,
    positionsInput: graphs.single.positionsInput,
    batchInvariant: graphs.batchInvariant,
    paddingDependent: graphs.paddingDependent,
    preferredBatchTokens: parts.threads === undefined ? undefined : batchTokensForThreads(parts.threads),
    ...(graphs.batchGraph && {
      batchGraph: {
        open: parts.openBatchGraph,
        onOpenError: (error: unknown) =>
          debug(
            `fillmask: ${request.modelFile}'s per-input quantized variant did not load, so batches run input by input: ${String(error)}`,
          ),
      },
    }),
  });
}

/** Writes what a graph preparation did and did not do to the debug log, one line per note. */
export function logGraphNotes(debug: (message: string) => void, modelFile: string, notes: readonly string[]): void {
  for (const note of notes) debug(`fillmask: ${modelFile} ${note}`);
}
