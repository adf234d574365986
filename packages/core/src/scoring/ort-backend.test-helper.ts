import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type { BackendModelV1, ModelBackendV1, TokenBatchV1 } from '../backend/fill-mask-backend-v1.js';
import { gatherMaskRows } from '../graph/gather-mask-rows.js';

/** A model backend over onnxruntime-node, with the rows-only graph rewrite @fillmask/backend-onnx uses, recording every batch. */
export interface RecordingOrtBackend extends ModelBackendV1 {
  /** Shape of every batch run: rows, sequence length and the number of positions asked for. */
  readonly batches: Array<{ batchSize: number; sequenceLength: number; positions: number }>;
}

export function recordingOrtBackend(): RecordingOrtBackend {
  const batches: RecordingOrtBackend['batches'] = [];
  return {
    specificationVersion: 'v1',
    kind: 'model',
    name: 'ort-test',
    batches,
    async loadModel({ files, modelFile, config }): Promise<BackendModelV1> {
      const rewrite = gatherMaskRows(new Uint8Array(await files.read(modelFile)));
      if (!rewrite.rewritten) throw new Error(`the fixture graph was not rewritten: ${rewrite.reason}`);
      const session = await ort.InferenceSession.create(rewrite.model);
      const vocabSize = config.vocab_size!;
      return {
        vocabSize,
        async run(batch: TokenBatchV1) {
          batches.push({ batchSize: batch.batchSize, sequenceLength: batch.sequenceLength, positions: batch.positions.length });
          const dims = [batch.batchSize, batch.sequenceLength];
          const feeds: Record<string, ort.Tensor> = {
            input_ids: new ort.Tensor('int64', BigInt64Array.from(batch.inputIds, BigInt), dims),
            attention_mask: new ort.Tensor('int64', BigInt64Array.from(batch.attentionMask, BigInt), dims),
            token_type_ids: new ort.Tensor('int64', BigInt64Array.from(batch.tokenTypeIds, BigInt), dims),
            [rewrite.positionsInput]: new ort.Tensor('int64', BigInt64Array.from(batch.positions, BigInt), [batch.positions.length]),
          };
          const inputs = Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]]));
          const output = await session.run(inputs);
          return { logits: Float32Array.from(output[session.outputNames[0]].data as Float32Array) };
        },
        async dispose() {
          await session.release();
        },
      };
    },
  };
}

/**
 * The reference scores: for each copy, the fixture's original (not rewritten) graph run on that copy
 * alone (batch of one, no padding), then log-softmax in float64 over the whole vocabulary at the target.
 */
export async function directLogProbabilities(
  modelFolder: string,
  dtype: 'fp32' | 'q8',
  copies: ReadonlyArray<{ ids: readonly number[]; target: number; id: number }>,
): Promise<number[]> {
  const session = await ort.InferenceSession.create(join(modelFolder, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx'));
  try {
    const results: number[] = [];
    for (const { ids, target, id } of copies) {
      const dims = [1, ids.length];
      const feeds: Record<string, ort.Tensor> = {
        input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
        attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), dims),
        token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
      };
      const inputs = Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]]));
      const logits = (await session.run(inputs)).logits;
      const vocab = logits.dims[2];
      const row = Array.from((logits.data as Float32Array).subarray(target * vocab, (target + 1) * vocab), Number);
      const max = Math.max(...row);
      const logSum = Math.log(row.reduce((total, value) => total + Math.exp(value - max), 0));
      results.push(row[id] - max - logSum);
    }
    return results;
  } finally {
    await session.release();
  }
}
