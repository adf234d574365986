import { createFillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import * as ort from 'onnxruntime-node';
const model = process.argv[2] ?? 'bench-models/bench-distilroberta';
const dtype = process.argv[3] ?? 'q8';
const which = process.argv[4] ?? 'fillmask';
const s = 'In the morning the old fisherman walked slowly down to the <mask> with his nets.';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const prof = { enableProfiling: true, profileFilePrefix: `/tmp/probe/prof/${which}` , intraOpNumThreads: 2};
let run, done;
if (which === 'fillmask') {
  const fm = await createFillMask({ model, dtype, topK: 5, backend: createOnnxBackend({ sessionOptions: prof }), onWarning: () => {} });
  run = () => fm.fill(s); done = () => fm.dispose();
} else {
  const tok = [0, ...Array.from({ length: 16 }, (_, i) => 100 + i), 2];
  const sess = await ort.InferenceSession.create(`${model}/onnx/${dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx'}`, { graphOptimizationLevel: 'all', ...prof });
  const ids = new ort.Tensor('int64', BigInt64Array.from(tok.map(BigInt)), [1, tok.length]);
  const am = new ort.Tensor('int64', BigInt64Array.from(tok.map(() => 1n)), [1, tok.length]);
  run = () => sess.run({ input_ids: ids, attention_mask: am }); done = () => { sess.endProfiling(); return sess.release(); };
}
const t = [];
for (let i = 0; i < 60; i++) { await sleep(60); const a = performance.now(); await run(); t.push(performance.now() - a); }
t.sort((a, b) => a - b);
console.log(which, dtype, 'median ms', t[30].toFixed(2), 'min', t[0].toFixed(2));
await done();
