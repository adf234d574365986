import { DisposedError, InferenceError, UnsupportedModelError } from '@fillmask/core';
import type { BackendModelV1, PositionLogitsV1, TokenBatchV1 } from '@fillmask/core';
import type * as OrtWeb from 'onnxruntime-web';
import type { OnnxWebRuntime } from './web-backend-options.js';
import { SerialQueue } from './serial-queue.js';

/** Graph inputs this backend knows how to feed, from the batch core prepared. */
const feedSources = {
  input_ids: 'inputIds',
  attention_mask: 'attentionMask',
  token_type_ids: 'tokenTypeIds',
} as const satisfies Record<string, keyof TokenBatchV1>;

type FeedName = keyof typeof feedSources;

/**
 * A graph that was not rewritten to project only the mask rows computes logits at every position,
 * `rows × sequence × vocabulary` floats, before this backend keeps the few at the masks. WebAssembly
 * memory stops at 4 GiB: 32 inputs of 500 tokens of a RoBERTa vocabulary would need 3.2 GB for that
 * output alone and fail. So such a batch runs a few rows at a time, each run's output kept under
 * 256 MiB; rows are independent, so the results do not change.
 */
const maxLogitsPerRun = (256 * 1024 * 1024) / Float32Array.BYTES_PER_ELEMENT;

/**
 * One onnxruntime-web session of a masked-LM graph: rewritten to take the mask positions and return
 * `[positions, vocab]` logits, or as exported, with `[batch, sequence, vocab]` logits.
 */
export class WebBackendModel implements BackendModelV1 {
  readonly vocabSize: number;
  private readonly queue = new SerialQueue();
  private disposed = false;

  private constructor(
    private readonly runtime: OnnxWebRuntime,
    private readonly session: OrtWeb.InferenceSession,
    private readonly feedNames: readonly FeedName[],
    private readonly outputName: string,
    vocabSize: number,
    /** Set when the graph was rewritten to take the mask positions and return only their logits. */
    private readonly positionsInput: string | undefined,
  ) {
    this.vocabSize = vocabSize;
  }

  /** Checks the graph's inputs and outputs so a wrong model fails at load, not at the first call. */
  static create(
    runtime: OnnxWebRuntime,
    session: OrtWeb.InferenceSession,
    location: string,
    configVocabSize: number | undefined,
    positionsInput?: string,
  ): WebBackendModel {
    const unknown = session.inputNames.filter((name) => !(name in feedSources) && name !== positionsInput);
    if (unknown.length > 0 || !session.inputNames.includes('input_ids')) {
      void session.release();
      throw new UnsupportedModelError({
        model: location,
        reason: `its ONNX graph takes inputs [${session.inputNames.join(', ')}]; a masked-LM graph takes input_ids and optionally attention_mask and token_type_ids.`,
      });
    }
    const outputName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
    const outputShape = outputMetadataShape(session, outputName);
    const declaredVocab = outputShape?.[outputShape.length - 1];
    const vocabSize = typeof declaredVocab === 'number' ? declaredVocab : configVocabSize;
    if (vocabSize === undefined) {
      void session.release();
      throw new UnsupportedModelError({ model: location, reason: 'neither its ONNX graph nor config.json gives the vocabulary size.' });
    }
    const feedNames = session.inputNames.filter((name): name is FeedName => name in feedSources);
    return new WebBackendModel(runtime, session, feedNames, outputName, vocabSize, positionsInput);
  }

  run(batch: TokenBatchV1): Promise<PositionLogitsV1> {
    if (this.disposed) return Promise.reject(new DisposedError('This onnxruntime-web model'));
    return this.queue.run(() => this.runNow(batch));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.idle();
    await this.session.release();
  }

  private async runNow(batch: TokenBatchV1): Promise<PositionLogitsV1> {
    if (this.disposed) throw new DisposedError('This onnxruntime-web model');
    return this.positionsInput === undefined ? this.runInRowGroups(batch) : this.runMaskRows(batch, this.positionsInput);
  }

  /** The rewritten graph: one run for the whole batch, returning one row of logits per position asked for. */
  private async runMaskRows(batch: TokenBatchV1, positionsInput: string): Promise<PositionLogitsV1> {
    const positions = new this.runtime.Tensor('int64', BigInt64Array.from(batch.positions, BigInt), [batch.positions.length]);
    const output = await this.runRows(batch, 0, batch.batchSize, { [positionsInput]: positions });
    try {
      const [rows, width] = output.dims;
      if (output.type !== 'float32' || output.dims.length !== 2 || rows !== batch.positions.length || width !== this.vocabSize) {
        throw new InferenceError({
          backend: 'web',
          message: `the graph returned ${output.type} [${output.dims.join(', ')}], expected float32 [${batch.positions.length}, ${this.vocabSize}].`,
        });
      }
      return { logits: (output.data as Float32Array).slice() };
    } finally {
      output.dispose();
    }
  }

  /** The graph as exported: rows in groups small enough for their logits at every position. */
  private async runInRowGroups(batch: TokenBatchV1): Promise<PositionLogitsV1> {
    const { batchSize, sequenceLength, positions } = batch;
    const logits = new Float32Array(positions.length * this.vocabSize);
    const rowsPerRun = Math.max(1, Math.floor(maxLogitsPerRun / (sequenceLength * this.vocabSize)));
    for (let firstRow = 0; firstRow < batchSize; firstRow += rowsPerRun) {
      const rows = Math.min(rowsPerRun, batchSize - firstRow);
      const output = await this.runRows(batch, firstRow, rows);
      try {
        this.gatherRows(output, batch, firstRow, rows, logits);
      } finally {
        output.dispose();
      }
    }
    return { logits };
  }

  /** Runs rows `firstRow ..< firstRow + rows` of the batch, with any extra feeds; returns the logits output. */
  private async runRows(batch: TokenBatchV1, firstRow: number, rows: number, extraFeeds: Record<string, OrtWeb.Tensor> = {}): Promise<OrtWeb.Tensor> {
    const { sequenceLength } = batch;
    const dims = [rows, sequenceLength];
    const feeds: Record<string, OrtWeb.Tensor> = { ...extraFeeds };
    for (const name of this.feedNames) {
      const values = batch[feedSources[name]].subarray(firstRow * sequenceLength, (firstRow + rows) * sequenceLength);
      feeds[name] = new this.runtime.Tensor('int64', BigInt64Array.from(values, BigInt), dims);
    }
    try {
      const outputs = await this.session.run(feeds, [this.outputName]);
      return outputs[this.outputName];
    } finally {
      for (const tensor of Object.values(feeds)) tensor.dispose();
    }
  }

  /** Copies out only the rows core asked for, one per mask, into their place in `logits`. */
  private gatherRows(output: OrtWeb.Tensor, batch: TokenBatchV1, firstRow: number, rows: number, logits: Float32Array): void {
    const [outputRows, columns, width] = output.dims;
    if (output.type !== 'float32' || outputRows !== rows || columns !== batch.sequenceLength || width !== this.vocabSize) {
      throw new InferenceError({
        backend: 'web',
        message: `the graph returned ${output.type} [${output.dims.join(', ')}], expected float32 [${rows}, ${batch.sequenceLength}, ${this.vocabSize}].`,
      });
    }
    const data = output.data as Float32Array;
    const first = firstRow * batch.sequenceLength;
    const end = (firstRow + rows) * batch.sequenceLength;
    batch.positions.forEach((position, index) => {
      if (position < first || position >= end) return;
      const offset = (position - first) * width;
      logits.set(data.subarray(offset, offset + width), index * width);
    });
  }
}

function outputMetadataShape(session: OrtWeb.InferenceSession, name: string): ReadonlyArray<number | string> | undefined {
  const metadata = session.outputMetadata?.find?.((entry) => entry.name === name);
  return metadata && metadata.isTensor ? metadata.shape : undefined;
}
