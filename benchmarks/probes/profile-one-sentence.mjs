// onnxruntime's own profile of one-sentence calls: the kernel time per run by op type and the
// slowest nodes, for fillmask or for a bare `session.run` of the unmodified graph. Profiling adds
// its own cost, so read the shares, not the totals. Not side by side with a peer: a probe of where a
// change could gain. Usage, after `npm run build`:
//   node benchmarks/probes/profile-one-sentence.mjs bench-models/bench-distilroberta q8 fillmask
//   node benchmarks/probes/profile-one-sentence.mjs bench-models/bench-distilroberta q8 bare
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createFillMask, loadTokenizer, openModel } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { latencySentence } from '../dist/bench-inputs.js';

const [model = 'bench-models/bench-distilroberta', dtype = 'q8', subject = 'fillmask'] = process.argv.slice(2);
if (!['fillmask', 'bare'].includes(subject)) throw new Error(`the third argument is fillmask or bare, not ${subject}`);
const calls = 60;
const folder = mkdtempSync(join(tmpdir(), 'fillmask-profile-'));
const profiling = { enableProfiling: true, profileFilePrefix: join(folder, subject), intraOpNumThreads: 2 };

const fillMask = await createFillMask({ model, dtype, backend: createOnnxBackend({ sessionOptions: profiling }), onWarning: () => undefined });
// The benchmark's latency sentence, in the model's own mask token.
const sentence = latencySentence(fillMask.maskToken);
let call = () => fillMask.fill(sentence);
let finish = () => fillMask.dispose();
if (subject === 'bare') {
  const tokenizer = await loadTokenizer(await openModel(model), JSON.parse(readFileSync(join(model, 'config.json'), 'utf8')));
  const ids = tokenizer.encode(sentence).ids;
  await fillMask.dispose();
  const session = await ort.InferenceSession.create(join(model, 'onnx', dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx'), { graphOptimizationLevel: 'all', ...profiling });
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), [1, ids.length]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
  };
  if (session.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), [1, ids.length]);
  call = () => session.run(feeds);
  finish = () => (session.endProfiling(), session.release());
}
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
for (let i = 0; i < calls; i++) {
  await pause(100); // past the spinning of the last call's threads
  await call();
}
await finish();

// The largest file is the session that ran the sentence (fillmask may open others it did not use).
const files = readdirSync(folder).map((name) => join(folder, name));
const largest = files.reduce((best, file) => (statSync(file).size > statSync(best).size ? file : best));
const events = JSON.parse(readFileSync(largest, 'utf8'));
rmSync(folder, { recursive: true });
const runs = events.filter((event) => event.cat === 'Session' && event.name === 'model_run');
const kernels = events.filter((event) => event.cat === 'Node' && event.name.endsWith('_kernel_time'));
const perRun = (microseconds) => microseconds / runs.length / 1000;
const total = kernels.reduce((sum, event) => sum + event.dur, 0);
const sumBy = (key) => {
  const sums = new Map();
  for (const event of kernels) sums.set(key(event), (sums.get(key(event)) ?? 0) + event.dur);
  return [...sums].sort((a, b) => b[1] - a[1]);
};
console.log(`${subject} ${dtype}, ${model}: ${runs.length} runs, ${perRun(runs.reduce((sum, event) => sum + event.dur, 0)).toFixed(2)} ms per run, of which kernels ${perRun(total).toFixed(2)} ms`);
for (const [op, microseconds] of sumBy((event) => event.args.op_name).slice(0, 12)) {
  console.log(`  ${op.padEnd(28)} ${perRun(microseconds).toFixed(3)} ms  ${((100 * microseconds) / total).toFixed(1)}%`);
}
console.log('slowest nodes:');
for (const [name, microseconds] of sumBy((event) => event.name.slice(0, -'_kernel_time'.length)).slice(0, 5)) console.log(`  ${perRun(microseconds).toFixed(3)} ms  ${name}`);
