import { readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { childMarksLine } from './child-marks.js';
import { peerBatchSize, type PeerRequest } from './peer-request.js';
import { maskedCopyBatches, maskedLogProbability, scoredPositions } from './pseudo-log-likelihood.js';

/**
 * The peer of `fillmask score -f FILE --jsonl`, run as a whole process (`node onnxruntime-pll.js
 * REQUEST`): a straightforward pseudo-log-likelihood over onnxruntime-node, as mlm-scoring computes
 * it. The model folder's tokenizer through transformers.js's AutoTokenizer; for each line, a copy per
 * scored token (every token but the special ones) with that token masked, the copies of the line in
 * batches of up to 32 equal-length rows through `session.run` of the unmodified graph with the same
 * intra-op threads, log softmax at the masked position, summed. Writes `{"pll", "tokens"}` per line;
 * its marks (imported, loaded, done) go to stderr.
 */
const request = JSON.parse(process.argv[2]) as PeerRequest;
const [{ AutoTokenizer, env }, ort] = await Promise.all([import('@huggingface/transformers'), import('onnxruntime-node')]);
const imported = performance.now();
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = `${dirname(request.folder)}/`;
const tokenizer = await AutoTokenizer.from_pretrained(basename(request.folder));
const session = await ort.InferenceSession.create(
  join(request.folder, 'onnx', request.dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx'),
  { intraOpNumThreads: request.threads, graphOptimizationLevel: 'all' },
);
const loaded = performance.now();
const specialIds = new Set(tokenizer.all_special_ids);
const texts = readFileSync(request.inputFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
for (const text of texts) {
  const ids = tokenizer.encode(text);
  const positions = scoredPositions(ids, specialIds);
  let pll = 0;
  for (const batch of maskedCopyBatches(ids, positions, tokenizer.mask_token_id, peerBatchSize)) {
    const dims = [batch.positions.length, batch.length];
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
      input_ids: new ort.Tensor('int64', batch.ids, dims),
      attention_mask: new ort.Tensor('int64', new BigInt64Array(batch.ids.length).fill(1n), dims),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(batch.ids.length), dims),
    };
    const outputs = await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]])));
    const logits = outputs[session.outputNames[0]];
    const vocabularySize = logits.dims[2];
    batch.positions.forEach((position, row) => {
      pll += maskedLogProbability(logits.data as Float32Array, batch, row, vocabularySize, ids[position]);
    });
  }
  process.stdout.write(`${JSON.stringify({ pll, tokens: positions.length })}\n`);
}
await session.release();
process.stderr.write(childMarksLine({ imported, loaded, done: performance.now() }));
