// How long a one-sentence `fill` spends outside onnxruntime's `session.run` (tokenizing, building the
// feeds, ranking the logits, rendering the sequences), calls back to back. It times session.run by
// wrapping it (onnxruntime-node's own conversion of feeds and outputs counts as the run), and the rest
// of the call is the JS around it. Not side by side with a peer: a probe of where a change could
// gain. Usage, after `npm run build`:
//   node benchmarks/probes/js-around-run.mjs bench-models/bench-distilroberta q8 [calls]
import * as ort from 'onnxruntime-node';
import { createFillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { latencySentence } from '../dist/bench-inputs.js';
import { summarize } from '../dist/statistics.js';

const [model = 'bench-models/bench-distilroberta', dtype = 'q8', callsArg = '200'] = process.argv.slice(2);
const calls = Number(callsArg);
let runMs = 0;
const run = ort.InferenceSession.prototype.run;
ort.InferenceSession.prototype.run = async function (...args) {
  const start = performance.now();
  try {
    return await run.apply(this, args);
  } finally {
    runMs += performance.now() - start;
  }
};
const fillMask = await createFillMask({ model, dtype, backend: createOnnxBackend({ sessionOptions: { intraOpNumThreads: 2 } }), onWarning: () => undefined });
const sentence = latencySentence(fillMask.maskToken);
for (let i = 0; i < 20; i++) await fillMask.fill(sentence);
const totals = [];
const outside = [];
for (let i = 0; i < calls; i++) {
  runMs = 0;
  const start = performance.now();
  await fillMask.fill(sentence);
  const total = performance.now() - start;
  totals.push(total);
  outside.push(total - runMs);
}
await fillMask.dispose();
// Wrapping the prototype times nothing if the backend loaded another copy of onnxruntime-node.
if (outside.every((value, index) => value === totals[index])) throw new Error('session.run was never timed: the backend uses another onnxruntime-node');
const median = (values) => summarize(values).median;
console.log(`${dtype}, ${model}: ${calls} calls back to back; median call ${median(totals).toFixed(2)} ms, of which outside session.run ${median(outside).toFixed(3)} ms`);
