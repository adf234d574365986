import { DisposedError, InferenceError, UnsupportedModelError } from '@fillmask/core';
import type { BackendModelV1, PositionLogitsV1, TokenBatchV1 } from '@fillmask/core';
import type * as Ort from 'onnxruntime-node';
import type { OnnxRuntime } from './onnx-backend-options.js';
import { SerialQueue } from './serial-queue.js';

/** Graph inputs this backend knows how to feed, from the batch core prepared. */
const feedSources = {
  input_ids: 'inputIds',
  attention_mask: 'attentionMask',
  token_type_ids: 'tokenTypeIds',
} as const satisfies Record<string, keyof TokenBatchV1>;

type FeedName = keyof typeof feedSources;

/** One onnxruntime session of a masked-LM graph with a `[batch, sequence, vocab]` logits output. */
export class OnnxBackendModel implements BackendModelV1 {
  readonly vocabSize: number;
  private readonly queue = new SerialQueue();
  private disposed = false;

  private constructor(
    private readonly runtime: OnnxRuntime,
    private readonly session: Ort.InferenceSession,
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
    runtime: OnnxRuntime,
    session: Ort.InferenceSession,
    location: string,
    configVocabSize: number | undefined,
    positionsInput?: string,
  ): OnnxBackendModel {
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
    return new OnnxBackendModel(runtime, session, feedNames, outputName, vocabSize, positionsInput);
  }

  run(batch: TokenBatchV1): Promise<PositionLogitsV1> {
    if (this.disposed) return Promise.reject(new DisposedError('This ONNX model'));
    return this.queue.run(() => this.runNow(batch));
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.queue.idle();
    await this.session.release();
  }

  private async runNow(batch: TokenBatchV1): Promise<PositionLogitsV1> {
    if (this.disposed) throw new DisposedError('This ONNX model');
    const dims = [batch.batchSize, batch.sequenceLength];
    const feeds: Record<string, Ort.Tensor> = {};
    for (const name of this.feedNames) {
      feeds[name] = new this.runtime.Tensor('int64', BigInt64Array.from(batch[feedSources[name]], BigInt), dims);
    }
    if (this.positionsInput) {
      feeds[this.positionsInput] = new this.runtime.Tensor('int64', BigInt64Array.from(batch.positions, BigInt), [batch.positions.length]);
    }
    const outputs = await this.session.run(feeds, [this.outputName]);
    const output = outputs[this.outputName];
    try {
      return { logits: this.positionsInput ? this.checkedRows(output, batch) : this.gatherRows(output, batch) };
    } finally {
      output.dispose?.();
    }
  }

  /** The rewritten graph already returns one row per requested position. */
  private checkedRows(output: Ort.Tensor, batch: TokenBatchV1): Float32Array {
    const [rows, width] = output.dims;
    if (output.type !== 'float32' || output.dims.length !== 2 || rows !== batch.positions.length || width !== this.vocabSize) {
      throw new InferenceError({
        backend: 'onnx',
        message: `the graph returned ${output.type} [${output.dims.join(', ')}], expected float32 [${batch.positions.length}, ${this.vocabSize}].`,
      });
    }
    return (output.data as Float32Array).slice();
  }

  /** Copies out only the rows core asked for: one per mask, not one per position. */
  private gatherRows(output: Ort.Tensor, batch: TokenBatchV1): Float32Array {
    const [rows, columns, width] = output.dims;
    if (output.type !== 'float32' || rows !== batch.batchSize || columns !== batch.sequenceLength || width !== this.vocabSize) {
      throw new InferenceError({
        backend: 'onnx',
        message: `the graph returned ${output.type} [${output.dims.join(', ')}], expected float32 [${batch.batchSize}, ${batch.sequenceLength}, ${this.vocabSize}].`,
      });
    }
    const data = output.data as Float32Array;
    const logits = new Float32Array(batch.positions.length * width);
    batch.positions.forEach((position, index) => logits.set(data.subarray(position * width, (position + 1) * width), index * width));
    return logits;
  }
}

function outputMetadataShape(session: Ort.InferenceSession, name: string): ReadonlyArray<number | string> | undefined {
  const metadata = session.outputMetadata?.find?.((entry) => entry.name === name);
  return metadata && metadata.isTensor ? metadata.shape : undefined;
}
