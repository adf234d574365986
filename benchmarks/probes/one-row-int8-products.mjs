// How fast onnxruntime-node computes the int8 products a q8 fill-mask pass ends with, on graphs of
// one op built here: the vocabulary projection at one mask row ([1, 768] × [768, 50,265]) with the
// weights as an initializer (packed once at load, as in a model) or fed as an input (packed per
// run), beside the same product in fp32; and one layer's query, key and value products on 18 rows,
// as three ops or merged into one with a scale per column (which gives bit for bit the same values,
// checked here). Not side by side with a peer: a probe of where a change could gain. Usage, after
// `npm run build`:
//   node benchmarks/probes/one-row-int8-products.mjs [threads]
import * as ort from 'onnxruntime-node';
import { summarize } from '../dist/statistics.js';
import { concatBytes, ElementType, encodeMessageField, encodeNode, encodeRawInitializer, encodeStringField, encodeValueInfo, encodeVarintField, GraphField, ModelField } from '@fillmask/core/graph';

const threads = Number(process.argv[2] ?? 2);
const K = 768;
const vocabulary = 50265;
const rows = 18;

// Small graphs written with core's graph building blocks.
const bytesOf = (array) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
const tensor = (name, type, dims, values) => encodeRawInitializer({ name, elementType: ElementType[type], dims, raw: bytesOf(values) });
const valueInfo = (field) => (name, type, shape) => encodeValueInfo(field, { name, elementType: ElementType[type], shape });
const input = valueInfo(GraphField.input);
const output = valueInfo(GraphField.output);
const node = (opType, inputs, outputs, { domain, intAttributes } = {}) => encodeNode({ name: outputs[0], opType, inputs, outputs, domain, intAttributes });
const opset = (domain, version) => encodeMessageField(ModelField.opsetImport, [encodeStringField(1, domain), encodeVarintField(2, version)]);
const model = ({ nodes, initializers, inputs, outputs }) =>
  concatBytes([encodeVarintField(1, 8), opset('', 17), opset('com.microsoft', 1), encodeMessageField(ModelField.graph, [...nodes, ...initializers, ...inputs, ...outputs])]);

const pseudoRandomInt8 = (length, seed) => Int8Array.from({ length }, (_, i) => (Math.imul(i + seed, 2654435761) >>> 24) - 128);
// The activations' scale and zero point, then the weights' zero point.
const scalars = [tensor('a_scale', 'float', [], Float32Array.of(0.02)), tensor('a_zero', 'uint8', [], Uint8Array.of(120)), tensor('b_zero', 'int8', [], Int8Array.of(0))];

function projectionModels() {
  const weights = pseudoRandomInt8(K * vocabulary, 0);
  const scale = tensor('b_scale', 'float', [], Float32Array.of(0.01));
  const product = (b) => node('MatMulIntegerToFloat', ['a', b, 'a_scale', 'b_scale', 'a_zero', 'b_zero'], ['y'], { domain: 'com.microsoft' });
  const io = { inputs: [input('a', 'uint8', [1, K])], outputs: [output('y', 'float', [1, vocabulary])] };
  return {
    weightsMegabytes: { 'int8, packed at load': K * vocabulary / 1e6, 'int8, fed per run': K * vocabulary / 1e6, fp32: (4 * K * vocabulary) / 1e6 },
    models: {
      'int8, packed at load': model({ nodes: [product('b')], initializers: [...scalars, scale, tensor('b', 'int8', [K, vocabulary], weights)], ...io }),
      'int8, fed per run': model({ nodes: [product('b_input')], initializers: [...scalars, scale], inputs: [...io.inputs, input('b_input', 'int8', [K, vocabulary])], outputs: io.outputs }),
      fp32: model({
        nodes: [node('MatMul', ['a_float', 'b'], ['y'])],
        initializers: [tensor('b', 'float', [K, vocabulary], Float32Array.from(weights, (w) => w / 64))],
        inputs: [input('a_float', 'float', [1, K])],
        outputs: io.outputs,
      }),
    },
    feeds: {
      a: new ort.Tensor('uint8', Uint8Array.from({ length: K }, (_, i) => (i * 37) & 255), [1, K]),
      a_float: new ort.Tensor('float32', Float32Array.from({ length: K }, (_, i) => ((i * 37) & 255) / 100 - 1), [1, K]),
      b_input: new ort.Tensor('int8', weights, [K, vocabulary]),
    },
  };
}

function attentionProductModels() {
  const [query, key, value] = [1, 2, 3].map((seed) => pseudoRandomInt8(K * K, seed));
  const merged = new Int8Array(K * 3 * K);
  for (let k = 0; k < K; k++) [query, key, value].forEach((w, j) => merged.set(w.subarray(k * K, k * K + K), k * 3 * K + j * K));
  const scales = [0.01, 0.02, 0.03];
  const bias = Float32Array.from({ length: K }, (_, i) => i / K);
  const io = { inputs: [input('a', 'uint8', [1, rows, K])], outputs: ['q', 'k', 'v'].map((name) => output(name, 'float', [1, rows, K])) };
  const separate = ['q', 'k', 'v'].map((name, j) => node('MatMulIntegerToFloat', ['a', `w_${name}`, 'a_scale', `s_${name}`, 'a_zero', 'b_zero', 'bias'], [name], { domain: 'com.microsoft' }));
  return {
    models: {
      'query, key, value: three products': model({
        nodes: separate,
        initializers: [...scalars, tensor('bias', 'float', [K], bias), ...['q', 'k', 'v'].flatMap((name, j) => [tensor(`w_${name}`, 'int8', [K, K], [query, key, value][j]), tensor(`s_${name}`, 'float', [], Float32Array.of(scales[j]))])],
        ...io,
      }),
      'query, key, value: one product and a Split': model({
        nodes: [
          node('MatMulIntegerToFloat', ['a', 'w', 'a_scale', 's', 'a_zero', 'zeros', 'bias3'], ['qkv'], { domain: 'com.microsoft' }),
          node('Split', ['qkv', 'sizes'], ['q', 'k', 'v'], { intAttributes: { axis: 2 } }),
        ],
        initializers: [
          ...scalars.slice(0, 2),
          tensor('w', 'int8', [K, 3 * K], merged),
          tensor('s', 'float', [3 * K], Float32Array.from({ length: 3 * K }, (_, i) => scales[Math.floor(i / K)])),
          tensor('zeros', 'int8', [3 * K], new Int8Array(3 * K)),
          tensor('bias3', 'float', [3 * K], Float32Array.from({ length: 3 * K }, (_, i) => bias[i % K])),
          tensor('sizes', 'int64', [3], BigInt64Array.of(BigInt(K), BigInt(K), BigInt(K))),
        ],
        ...io,
      }),
    },
    feeds: { a: new ort.Tensor('uint8', Uint8Array.from({ length: rows * K }, (_, i) => (i * 37) & 255), [1, rows, K]) },
  };
}

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Medians over rounds of interleaved calls; each turn starts after the last one's spinning threads stopped. */
async function measure(models, feeds, callsPerTurn) {
  const sessions = {};
  for (const [name, bytes] of Object.entries(models)) {
    sessions[name] = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'all', intraOpNumThreads: threads });
  }
  const feedsOf = (session) => Object.fromEntries(session.inputNames.map((input) => [input, feeds[input]]));
  const times = Object.fromEntries(Object.keys(sessions).map((name) => [name, []]));
  const outputs = {};
  for (let round = 0; round < 30; round++) {
    for (const [name, session] of Object.entries(sessions)) {
      await pause(100);
      outputs[name] = await session.run(feedsOf(session));
      const start = performance.now();
      for (let call = 0; call < callsPerTurn; call++) await session.run(feedsOf(session));
      times[name].push((performance.now() - start) / callsPerTurn);
    }
  }
  await Promise.all(Object.values(sessions).map((session) => session.release()));
  return { medians: Object.fromEntries(Object.entries(times).map(([name, values]) => [name, summarize(values).median])), outputs };
}

const projection = projectionModels();
const projectionTimes = await measure(projection.models, projection.feeds, 3);
console.log(`vocabulary projection at one row, ${threads} threads:`);
for (const [name, ms] of Object.entries(projectionTimes.medians)) {
  console.log(`  ${name.padEnd(22)} ${ms.toFixed(3)} ms, weights read at ${(projection.weightsMegabytes[name] / ms).toFixed(1)} GB/s`);
}

const attention = attentionProductModels();
const attentionTimes = await measure(attention.models, attention.feeds, 20);
console.log(`query, key and value products on ${rows} rows, ${threads} threads:`);
for (const [name, ms] of Object.entries(attentionTimes.medians)) console.log(`  ${name.padEnd(42)} ${ms.toFixed(3)} ms`);
const [separate, merged] = Object.values(attentionTimes.outputs);
const identical = ['q', 'k', 'v'].every((name) => separate[name].data.every((x, i) => Object.is(x, merged[name].data[i])));
console.log(`  merged outputs bit for bit the same as the three products': ${identical}`);
