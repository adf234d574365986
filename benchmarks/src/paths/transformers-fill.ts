import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import { childMarksLine } from './child-marks.js';
import { peerBatchSize, type PeerRequest } from './peer-request.js';

/**
 * The peer of `fillmask -f FILE --jsonl`, run as a whole process (`node transformers-fill.js
 * REQUEST`): transformers.js's `pipeline('fill-mask')` on the same model folder, offline, with the
 * same intra-op threads, reading the file's non-blank lines and writing one JSON line per input, in
 * batches of 32 in input order, as a user of transformers.js would write it. Its marks (imported,
 * loaded, done) go to stderr.
 */
const request = JSON.parse(process.argv[2]) as PeerRequest;
const { pipeline, env } = await import('@huggingface/transformers');
const imported = performance.now();
env.allowRemoteModels = false;
env.allowLocalModels = true;
env.localModelPath = `${dirname(request.folder)}/`;
const fillMask = await pipeline('fill-mask', basename(request.folder), {
  dtype: request.dtype,
  device: 'cpu',
  session_options: { intraOpNumThreads: request.threads },
});
const loaded = performance.now();
const texts = readFileSync(request.inputFile, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '');
for (let start = 0; start < texts.length; start += peerBatchSize) {
  // A list of inputs gives a list of answers, one per input.
  const answers = (await fillMask(texts.slice(start, start + peerBatchSize), { top_k: request.topK })) as unknown[];
  process.stdout.write(answers.map((answer) => `${JSON.stringify(answer)}\n`).join(''));
}
await fillMask.dispose();
process.stderr.write(childMarksLine({ imported, loaded, done: performance.now() }));
