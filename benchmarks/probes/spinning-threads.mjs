// What onnxruntime's spinning intra-op threads cost and buy, for fillmask alone: one-sentence
// latency with the defaults (threads spin, then sleep) and with `force_spinning_stop: '1'` (they stop
// as a run returns), after pauses of several lengths, and the CPU time the process uses in the 100 ms
// after a call. Not side by side with a peer (that is `npm run bench -- --spinning`). Usage, after
// `npm run build`:
//   node benchmarks/probes/spinning-threads.mjs bench-models/bench-distilroberta q8
//   PAUSES=0,2,5,10,100 node benchmarks/probes/spinning-threads.mjs   (the pauses before a call, in ms)
import { createFillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { latencySentence } from '../dist/bench-inputs.js';
import { summarize } from '../dist/statistics.js';

const [model = 'bench-models/bench-distilroberta', dtype = 'q8'] = process.argv.slice(2);
const settings = {
  defaults: {},
  'force_spinning_stop 1': { sessionOptions: { extra: { session: { force_spinning_stop: '1' } } } },
};
const pauses = (process.env.PAUSES ?? '0,10,100,500').split(',').map(Number);
const rounds = 15;
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (values) => summarize(values).median;

const fillMasks = {};
for (const [name, options] of Object.entries(settings)) {
  fillMasks[name] = await createFillMask({ model, dtype, backend: createOnnxBackend(options), onWarning: () => undefined });
}
const sentence = (fillMask) => latencySentence(fillMask.maskToken);
const latency = Object.fromEntries(Object.keys(settings).flatMap((name) => pauses.map((ms) => [`${name}, ${ms} ms pause`, []])));
const cpuAfter = Object.fromEntries(Object.keys(settings).map((name) => [name, []]));
for (let round = 0; round < rounds; round++) {
  for (const [name, fillMask] of Object.entries(fillMasks)) {
    for (const ms of pauses) {
      await pause(500); // every setting starts from sleeping threads
      await fillMask.fill(sentence(fillMask));
      for (let call = 0; call < 3; call++) {
        await pause(ms);
        const start = performance.now();
        await fillMask.fill(sentence(fillMask));
        latency[`${name}, ${ms} ms pause`].push(performance.now() - start);
      }
    }
    await pause(500);
    await fillMask.fill(sentence(fillMask));
    const before = process.cpuUsage();
    await pause(100);
    const used = process.cpuUsage(before);
    cpuAfter[name].push((used.user + used.system) / 1000);
  }
}
console.log(`${model} ${dtype}, one sentence, medians over ${rounds * 3} calls:`);
for (const [name, values] of Object.entries(latency)) console.log(`  ${name.padEnd(36)} ${median(values).toFixed(2)} ms`);
console.log('CPU time of the process in the 100 ms after a call (median, min–max):');
for (const [name, values] of Object.entries(cpuAfter)) console.log(`  ${name.padEnd(36)} ${median(values).toFixed(1)} ms (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`);
await Promise.all(Object.values(fillMasks).map((fillMask) => fillMask.dispose()));
