/**
 * log softmax(row)[id] for the row of `vocabSize` logits at `offset`, in float64 and shifted by the
 * row's maximum so that no exponential overflows, however large the logits.
 */
export function logProbabilityAt(logits: Float32Array, offset: number, vocabSize: number, id: number): number {
  let max = -Infinity;
  for (let index = offset; index < offset + vocabSize; index++) if (logits[index] > max) max = logits[index];
  let sum = 0;
  for (let index = offset; index < offset + vocabSize; index++) sum += Math.exp(logits[index] - max);
  return logits[offset + id] - max - Math.log(sum);
}
