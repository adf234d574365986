import type { BackendModelV1, PositionLogitsV1, TokenBatchV1 } from '@fillmask/core';
import { DisposedError, InferenceError, UnsupportedModelError } from '@fillmask/core';
import type { Int64TensorFactory, OnnxSessionLike, OnnxTensorLike } from './onnx-runtime-types.js';
import { eachRow, hasPadding, rowsOfEqualLength, type RowGroup } from './batch-row-groups.js';
import { SerialQueue } from './serial-queue.js';

/** Graph inputs an ONNX masked-LM takes, fed from the batch core prepared. */
const feedSources = {
  input_ids: 'inputIds',
  attention_mask: 'attentionMask',
  token_type_ids: 'tokenTypeIds',
} as const satisfies Record<string, keyof TokenBatchV1>;

type FeedName = keyof typeof feedSources;

/**
 * A graph that was not rewritten to project only the mask rows returns logits at every position,
 * `rows × sequence × vocabulary` floats, before the few at the masks are kept: 32 inputs of 500
 * tokens of a RoBERTa vocabulary would need 3.2 GB for that output alone, past WebAssembly's 4 GiB
 * and a waste anywhere. Such a batch runs a few rows at a time, each output under 256 MiB; rows are
 * independent in an fp32 graph, so the results do not change.
 */
const maxLogitsPerRun = (256 * 1024 * 1024) / Float32Array.BYTES_PER_ELEMENT;

export interface OnnxSessionModelOptions {
  readonly session: OnnxSessionLike;
  readonly createInt64Tensor: Int64TensorFactory;
  /** The backend's name, for errors: `onnx`, `web`. */
  readonly backendName: string;
  /** Where the model came from, for errors. */
  readonly location: string;
  /** `vocab_size` from config.json, when the graph's output shape does not give it. */
  readonly configVocabSize: number | undefined;
  /** The positions input of a graph rewritten by `gatherMaskRows`, which then returns `[positions, vocab]` logits. */
  readonly positionsInput?: string;
  /** True when batch-mates cannot change an input's logits (`FillMaskGraphs.batchInvariant`). */
  readonly batchInvariant?: boolean;
  /** The token budget to suggest to core (`BackendModelV1.preferredBatchTokens`). */
  readonly preferredBatchTokens?: number;
  /**
   * True when padding changes the real tokens' logits (`FillMaskGraphs.paddingDependent`: a convolution
   * over the sequence reads the padded positions). Batches then run in groups of rows of equal length.
   */
  readonly paddingDependent?: boolean;
  /**
   * A second graph for batches of several inputs (`FillMaskGraphs.batch`: an int8 graph quantizing
   * each input on its own), opened when the first such batch comes. Should it fail to open, those
   * batches run one input at a time on `session`, which gives the same answers.
   */
  readonly batchGraph?: {
    /** Prepares and opens the batch graph: its session, and its positions input when it gathers the mask rows. */
    readonly open: () => Promise<{ readonly session: OnnxSessionLike; readonly positionsInput?: string }>;
    /** Told why the batch graph could not be opened or run (for a debug log); batches then run input by input. */
    readonly onOpenError?: (error: unknown) => void;
  };
}

/** A session and how to feed it. */
interface SessionTarget {
  readonly session: OnnxSessionLike;
  readonly positionsInput?: string;
}

/**
 * One onnxruntime session of a masked-LM graph as a BackendModelV1, for every backend built on
 * onnxruntime's JS API: runs one at a time, feeds only the inputs the graph declares, and returns
 * only the logits at the positions asked for.
 */
export class OnnxSessionModel implements BackendModelV1 {
  readonly vocabSize: number;
  readonly batchInvariant: boolean | undefined;
  readonly preferredBatchTokens: number | undefined;
  private readonly queue = new SerialQueue();
  private disposed = false;
  /** The batch graph's session once asked for; undefined inside when it could not be opened. */
  private batchTarget: Promise<SessionTarget | undefined> | undefined;

  private constructor(
    private readonly options: OnnxSessionModelOptions,
    private readonly feedNames: readonly FeedName[],
    private readonly outputName: string,
    vocabSize: number,
  ) {
    this.vocabSize = vocabSize;
    this.batchInvariant = options.batchInvariant;
    this.preferredBatchTokens = options.preferredBatchTokens;
  }

  /** Checks the graph's inputs and outputs, so a wrong model fails at load and not at the first call. */
  static async create(options: OnnxSessionModelOptions): Promise<OnnxSessionModel> {
    const { session, location, positionsInput } = options;
    const unknown = session.inputNames.filter((name) => !(name in feedSources) && name !== positionsInput);
    if (unknown.length > 0 || !session.inputNames.includes('input_ids')) {
      await session.release();
      throw new UnsupportedModelError({
        model: location,
        reason: `its ONNX graph takes inputs [${session.inputNames.join(', ')}]; a masked-LM graph takes input_ids and optionally attention_mask and token_type_ids.`,
      });
    }
    const outputName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
    const shape = session.outputMetadata?.find((entry) => entry.name === outputName && entry.isTensor)?.shape;
    const declaredVocab = shape?.[shape.length - 1];
    const vocabSize = typeof declaredVocab === 'number' ? declaredVocab : options.configVocabSize;
    if (vocabSize === undefined) {
      await session.release();
      throw new UnsupportedModelError({ model: location, reason: 'neither its ONNX graph nor config.json gives the vocabulary size.' });
    }
    const feedNames = session.inputNames.filter((name): name is FeedName => name in feedSources);
    return new OnnxSessionModel(options, feedNames, outputName, vocabSize);
  }

  run(batch: TokenBatchV1): Promise<PositionLogitsV1> {
    if (this.disposed) return Promise.reject(new DisposedError(`This ${this.options.backendName} model`));
    return this.queue.run(async () => {
      if (this.disposed) throw new DisposedError(`This ${this.options.backendName} model`);
      // No position asked for, no logits: nothing to run, on any graph (and a 1×1 convolution rejects zero rows).
      if (batch.positions.length === 0) return { logits: new Float32Array(0) };
      const single: SessionTarget = { session: this.options.session, positionsInput: this.options.positionsInput };
      const { batchGraph } = this.options;
      if (batch.batchSize > 1 && batchGraph) {
        const target = await this.openBatchGraph(batchGraph);
        if (target) {
          try {
            return { logits: await this.runBatch(target, batch) };
          } catch (error) {
            // A variant the runtime opened but cannot run (a graph of a shape the rewrite did not foresee): drop it for good.
            batchGraph.onOpenError?.(error);
            this.batchTarget = Promise.resolve(undefined);
            await target.session.release().catch(() => undefined);
          }
        }
        // Each input on its own, without its padding: what the batch graph stands in for.
        return { logits: await this.runRowGroups(single, eachRow(batch), batch) };
      }
      // Batch-mates would change each other's answers (an int8 graph with no batch variant): each input alone, whatever the batch size.
      if (batch.batchSize > 1 && this.options.batchInvariant === false)
        return { logits: await this.runRowGroups(single, eachRow(batch), batch) };
      return { logits: await this.runBatch(single, batch) };
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.idle();
    try {
      await this.options.session.release();
    } finally {
      const batchTarget = await this.batchTarget;
      await batchTarget?.session.release();
    }
  }

  private openBatchGraph(graph: NonNullable<OnnxSessionModelOptions['batchGraph']>): Promise<SessionTarget | undefined> {
    this.batchTarget ??= graph.open().catch((error: unknown) => {
      graph.onOpenError?.(error);
      return undefined;
    });
    return this.batchTarget;
  }

  private runOn(target: SessionTarget, batch: TokenBatchV1): Promise<Float32Array> {
    return target.positionsInput === undefined
      ? this.runInRowGroups(target.session, batch)
      : this.runMaskRows(target, batch, target.positionsInput);
  }

  /**
   * The batch as it comes, unless the graph's answers depend on padding (`paddingDependent`): then its
   * rows run in groups of equal length, with no padding.
   */
  private runBatch(target: SessionTarget, batch: TokenBatchV1): Promise<Float32Array> {
    return this.options.paddingDependent && hasPadding(batch)
      ? this.runRowGroups(target, rowsOfEqualLength(batch), batch)
      : this.runOn(target, batch);
  }

  /** Each group in its own forward pass, its logits put back in the order of the whole batch's positions. */
  private async runRowGroups(target: SessionTarget, groups: readonly RowGroup[], batch: TokenBatchV1): Promise<Float32Array> {
    const width = this.vocabSize;
    const logits = new Float32Array(batch.positions.length * width);
    for (const { batch: rows, positionIndices } of groups) {
      const groupLogits = await this.runOn(target, rows);
      for (const [order, index] of positionIndices.entries())
        logits.set(groupLogits.subarray(order * width, (order + 1) * width), index * width);
    }
    return logits;
  }

  /** A rewritten graph: one run for the whole batch, one row of logits per position asked for. */
  private async runMaskRows(target: SessionTarget, batch: TokenBatchV1, positionsInput: string): Promise<Float32Array> {
    const positions = this.options.createInt64Tensor(BigInt64Array.from(batch.positions, BigInt), [batch.positions.length]);
    const output = await this.runRows(target.session, batch, 0, batch.batchSize, { [positionsInput]: positions });
    try {
      this.checkOutput(output, [batch.positions.length, this.vocabSize]);
      const data = output.data as Float32Array;
      // 'cpu': a typed array of the output's own, which outlives the tensor's dispose (see OnnxTensorLike.location).
      return output.location === 'cpu' ? data : data.slice();
    } finally {
      output.dispose?.();
    }
  }

  /** A graph as exported: rows in groups small enough for their logits at every position. */
  private async runInRowGroups(session: OnnxSessionLike, batch: TokenBatchV1): Promise<Float32Array> {
    const { batchSize, sequenceLength, positions } = batch;
    const width = this.vocabSize;
    const logits = new Float32Array(positions.length * width);
    const rowsPerRun = Math.max(1, Math.floor(maxLogitsPerRun / (sequenceLength * width)));
    for (let firstRow = 0; firstRow < batchSize; firstRow += rowsPerRun) {
      const rows = Math.min(rowsPerRun, batchSize - firstRow);
      const output = await this.runRows(session, batch, firstRow, rows);
      try {
        this.checkOutput(output, [rows, sequenceLength, width]);
        const data = output.data as Float32Array;
        const first = firstRow * sequenceLength;
        batch.positions.forEach((position, index) => {
          if (position < first || position >= first + rows * sequenceLength) return;
          const offset = (position - first) * width;
          logits.set(data.subarray(offset, offset + width), index * width);
        });
      } finally {
        output.dispose?.();
      }
    }
    return logits;
  }

  /** Runs rows `firstRow ..< firstRow + rows` of the batch, with any extra feeds; returns the logits. */
  private async runRows(
    session: OnnxSessionLike,
    batch: TokenBatchV1,
    firstRow: number,
    rows: number,
    extraFeeds: Record<string, OnnxTensorLike> = {},
  ): Promise<OnnxTensorLike> {
    const { sequenceLength } = batch;
    const feeds: Record<string, OnnxTensorLike> = { ...extraFeeds };
    for (const name of this.feedNames) {
      const values = batch[feedSources[name]].subarray(firstRow * sequenceLength, (firstRow + rows) * sequenceLength);
      feeds[name] = this.options.createInt64Tensor(BigInt64Array.from(values, BigInt), [rows, sequenceLength]);
    }
    try {
      return (await session.run(feeds, [this.outputName]))[this.outputName];
    } finally {
      for (const tensor of Object.values(feeds)) tensor.dispose?.();
    }
  }

  private checkOutput(output: OnnxTensorLike, expected: readonly number[]): void {
    if (output.type !== 'float32' || output.dims.length !== expected.length || output.dims.some((size, axis) => size !== expected[axis])) {
      throw new InferenceError({
        backend: this.options.backendName,
        message: `the graph returned ${output.type} [${output.dims.join(', ')}], expected float32 [${expected.join(', ')}].`,
      });
    }
  }
}
