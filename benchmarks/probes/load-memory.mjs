// Peak resident memory of fillmask alone, in this process: after load, after one sentence, after a
// batch of 64 corpus sentences. Not side by side with a peer (that is `npm run bench`'s job): run it
// before and after a change. Usage, after `npm run build` (the last argument, optional, is the onnx
// backend's pointwiseConvolutions: false, true or everywhere; its default is true):
//   node benchmarks/probes/load-memory.mjs bench-models/bench-distilroberta q8
//   node benchmarks/probes/load-memory.mjs bench-models/bench-distilroberta fp32 everywhere
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { createFillMask } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';

const [model = 'bench-models/bench-distilroberta', dtype = 'q8', convolutions] = process.argv.slice(2);
const corpus = new URL('../../../shared/corpus/general/train.txt', import.meta.url);
const settings = { false: false, true: true, everywhere: 'everywhere' };
if (convolutions !== undefined && !Object.hasOwn(settings, convolutions)) throw new Error(`pointwiseConvolutions is false, true or everywhere, not ${convolutions}`);
const pointwiseConvolutions = settings[convolutions];
const status = (field) => Math.round(Number(new RegExp(`${field}:\\s+(\\d+)`).exec(readFileSync('/proc/self/status', 'utf8'))[1]) / 1024);
// The corpus's first 256 KiB only: the whole file is 100 MB, which would swamp what is measured.
const head = new Uint8Array(256 * 1024);
const descriptor = openSync(corpus, 'r');
const headLength = readSync(descriptor, head, 0, head.length, 0);
closeSync(descriptor);
const sentences = new TextDecoder()
  .decode(head.subarray(0, headLength))
  .split('\n')
  .slice(0, -1)
  .map((line) => line.split(' '))
  .filter((words) => words.length > 4)
  .slice(0, 64);

const fillMask = await createFillMask({ model, dtype, backend: createOnnxBackend(pointwiseConvolutions === undefined ? {} : { pointwiseConvolutions }) });
// The model's own mask token: <mask> for RoBERTa, [MASK] for BERT.
const masked = sentences.map((words) => [...words.slice(0, 2), fillMask.maskToken, ...words.slice(3)].join(' '));
const peakAtLoad = status('VmHWM');
const afterLoad = status('VmRSS');
await fillMask.fill(masked[0]);
const peakAfterOne = status('VmHWM');
await fillMask.fill(masked);
console.log(JSON.stringify({ model, dtype, ...(pointwiseConvolutions !== undefined && { pointwiseConvolutions }), peakAtLoadMiB: peakAtLoad, rssAfterLoadMiB: afterLoad, peakAfterOneMiB: peakAfterOne, peakAfterBatchMiB: status('VmHWM') }));
await fillMask.dispose();
