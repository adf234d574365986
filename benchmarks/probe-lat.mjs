import { createFillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
const folder = process.argv[2] ?? 'bench-models/bench-distilroberta';
const dtype = process.argv[3] ?? 'fp32';
const text = 'In the morning the old fisherman walked slowly down to the <mask> with his nets.';
const variants = { default: {}, everywhere: { pointwiseConvolutions: 'everywhere' } };
const fms = {};
for (const [name, opt] of Object.entries(variants)) {
  fms[name] = await createFillMask({ model: folder, dtype, topK: 5, backend: createOnnxBackend({ ...opt, sessionOptions: { intraOpNumThreads: 2 } }), onWarning: () => undefined });
  for (let i = 0; i < 5; i++) await fms[name].fill(text);
}
const times = Object.fromEntries(Object.keys(variants).map((n) => [n, []]));
for (let r = 0; r < 60; r++) for (const n of Object.keys(variants)) {
  await new Promise((res) => setTimeout(res, 50));
  const t = performance.now(); await fms[n].fill(text); times[n].push(performance.now() - t);
}
for (const [n, t] of Object.entries(times)) { t.sort((a, b) => a - b); console.log(n, 'median', t[30].toFixed(2), 'min', t[0].toFixed(2), 'p10', t[6].toFixed(2)); }
