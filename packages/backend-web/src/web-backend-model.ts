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

/** One onnxruntime-web session of a masked-LM graph with a `[batch, sequence, vocab]` logits output. */
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
  ) {
    this.vocabSize = vocabSize;
  }

  /** Checks the graph's inputs and outputs so a wrong model fails at load, not at the first call. */
  static create(runtime: OnnxWebRuntime, session: OrtWeb.InferenceSession, location: string, configVocabSize: number | undefined): WebBackendModel {
    const unknown = session.inputNames.filter((name) => !(name in feedSources));
    if (unknown.length > 0 || !session.inputNames.includes('input_ids')) {
      void session.release();
      throw new UnsupportedModelError({
        model: location,
        reason: `its ONNX graph takes inputs [${session.inputNames.join(', ')}]; a masked-LM graph takes input_ids and optionally attention_mask and token_type_ids.`,
      });
    }
    const outputName = session.outputNames.includes('logits') ? 'logits' : session.outputNames[0];
    const outputShape = outputMetadataShape(session, outputName);
    const vocabSize = typeof outputShape?.[2] === 'number' ? outputShape[2] : configVocabSize;
    if (vocabSize === undefined) {
      void session.release();
      throw new UnsupportedModelError({ model: location, reason: 'neither its ONNX graph nor config.json gives the vocabulary size.' });
    }
    return new WebBackendModel(runtime, session, session.inputNames as FeedName[], outputName, vocabSize);
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
    const dims = [batch.batchSize, batch.sequenceLength];
    const feeds: Record<string, OrtWeb.Tensor> = {};
    for (const name of this.feedNames) {
      feeds[name] = new this.runtime.Tensor('int64', BigInt64Array.from(batch[feedSources[name]], BigInt), dims);
    }
    const outputs = await this.session.run(feeds, [this.outputName]);
    const output = outputs[this.outputName];
    try {
      return { logits: this.gatherRows(output, batch) };
    } finally {
      output.dispose();
      for (const tensor of Object.values(feeds)) tensor.dispose();
    }
  }

  /** Copies out only the rows core asked for: one per mask, not one per position. */
  private gatherRows(output: OrtWeb.Tensor, batch: TokenBatchV1): Float32Array {
    const [rows, columns, width] = output.dims;
    if (output.type !== 'float32' || rows !== batch.batchSize || columns !== batch.sequenceLength || width !== this.vocabSize) {
      throw new InferenceError({
        backend: 'web',
        message: `the graph returned ${output.type} [${output.dims.join(', ')}], expected float32 [${batch.batchSize}, ${batch.sequenceLength}, ${this.vocabSize}].`,
      });
    }
    const data = output.data as Float32Array;
    const logits = new Float32Array(batch.positions.length * width);
    batch.positions.forEach((position, index) => logits.set(data.subarray(position * width, (position + 1) * width), index * width));
    return logits;
  }
}

function outputMetadataShape(session: OrtWeb.InferenceSession, name: string): ReadonlyArray<number | string> | undefined {
  const metadata = session.outputMetadata?.find?.((entry) => entry.name === name);
  return metadata && metadata.isTensor ? metadata.shape : undefined;
}
