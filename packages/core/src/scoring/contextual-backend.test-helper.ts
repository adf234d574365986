import type { BackendModelV1, ModelBackendV1, TokenBatchV1 } from '../backend/fill-mask-backend-v1.js';

/**
 * A test double for a model backend whose logits depend on the whole input, as a real model's do:
 * at a position, each vocabulary entry's logit is a hash of the row's real tokens (padding ignored),
 * the position, and the entry. So scores change with the context and with what is masked,
 * batching and padding must not change them, and `contextualLogProbabilities` gives the reference
 * for any copy without a runtime.
 */
export interface RecordingContextualBackend extends ModelBackendV1 {
  /** Shape of every batch run: rows, sequence length, the number of positions asked for and each row's real tokens. */
  readonly batches: Array<{ batchSize: number; sequenceLength: number; positions: number; rowLengths: number[] }>;
}

/** A hash of the row's real tokens and the position: what the logits at that position depend on. */
function contextHash(ids: ArrayLike<number>, position: number): number {
  let hash = Math.imul(position + 1, 0x9e3779b1);
  for (let index = 0; index < ids.length; index++) hash = Math.imul(hash ^ ids[index], 0x85ebca6b) ^ (hash >>> 13);
  return hash;
}

/** The logit of `entry` in a context: a multiple of 1/1024 in [-4, 4), exact in float32. */
function contextualLogit(context: number, entry: number): number {
  const mixed = Math.imul(context ^ Math.imul(entry + 1, 0xc2b2ae35), 0x27d4eb2f);
  return ((mixed ^ (mixed >>> 15)) & 0x1fff) / 1024 - 4;
}

export function recordingContextualBackend(): RecordingContextualBackend {
  const batches: RecordingContextualBackend['batches'] = [];
  return {
    specificationVersion: 'v1',
    kind: 'model',
    name: 'contextual-test',
    batches,
    async loadModel({ config }): Promise<BackendModelV1> {
      const vocabSize = config.vocab_size!;
      return {
        vocabSize,
        async run(batch: TokenBatchV1) {
          const rowLengths = Array.from({ length: batch.batchSize }, (_, row) =>
            batch.attentionMask
              .subarray(row * batch.sequenceLength, (row + 1) * batch.sequenceLength)
              .reduce((total, bit) => total + bit, 0),
          );
          batches.push({ batchSize: batch.batchSize, sequenceLength: batch.sequenceLength, positions: batch.positions.length, rowLengths });
          const logits = new Float32Array(batch.positions.length * vocabSize);
          batch.positions.forEach((flat, index) => {
            const row = Math.floor(flat / batch.sequenceLength);
            const start = row * batch.sequenceLength;
            const ids = batch.inputIds
              .subarray(start, start + batch.sequenceLength)
              .filter((_, column) => batch.attentionMask[start + column] === 1);
            const context = contextHash(ids, flat - start);
            for (let entry = 0; entry < vocabSize; entry++) logits[index * vocabSize + entry] = contextualLogit(context, entry);
          });
          return { logits };
        },
        async dispose() {},
      };
    },
  };
}

/** The reference: for each copy, log-softmax in float64 over the whole vocabulary at the target. */
export function contextualLogProbabilities(
  vocabSize: number,
  copies: ReadonlyArray<{ ids: readonly number[]; target: number; id: number }>,
): number[] {
  return copies.map(({ ids, target, id }) => {
    const context = contextHash(ids, target);
    const row = Array.from({ length: vocabSize }, (_, entry) => contextualLogit(context, entry));
    const max = row.reduce((best, value) => Math.max(best, value), -Infinity);
    const logSum = Math.log(row.reduce((total, value) => total + Math.exp(value - max), 0));
    return row[id] - max - logSum;
  });
}
