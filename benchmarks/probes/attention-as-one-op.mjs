// Whether each layer's attention as one onnxruntime op (com.microsoft MultiHeadAttention in place of
// the exported Reshape, Transpose, MatMul, Div, Add, Softmax, MatMul, Transpose, Reshape) would make
// one sentence faster. The probe rewrites the model, checks that the logits stay bit for bit the
// same (one sentence, and a padded batch of two), then times fillmask's one-sentence `fill` on both
// graphs in alternating turns, each call 100 ms after the last. Not side by side with a peer: a probe
// of where a change could gain. Usage, after `npm run build`:
//   node benchmarks/probes/attention-as-one-op.mjs bench-models/bench-distilroberta q8 [rounds]
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { createFillMask, loadTokenizer, openModel } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { latencySentence } from '../dist/bench-inputs.js';
import { summarize } from '../dist/statistics.js';
import { concatBytes, ElementType, encodeMessageField, encodeNode, encodeRawInitializer, encodeStringField, encodeVarintField, ModelField, readOnnxModel } from '@fillmask/core/graph';

const [model = 'bench-models/bench-distilroberta', dtype = 'q8', roundsArgument = '100'] = process.argv.slice(2);
const fileName = dtype === 'q8' ? 'model_quantized.onnx' : 'model.onnx';
const config = JSON.parse(readFileSync(join(model, 'config.json'), 'utf8'));
const original = new Uint8Array(readFileSync(join(model, 'onnx', fileName)));
const { rewritten, attentions, removedNodes, addedNodes } = attentionAsOneOp(original, config.num_attention_heads);
console.log(`${dtype}, ${model}: ${attentions} attentions became MultiHeadAttention, ${removedNodes - addedNodes} nodes fewer (${removedNodes} went, ${addedNodes} came to expand the mask)`);

// The same logits, bit for bit?
const sessionOptions = { graphOptimizationLevel: 'all', intraOpNumThreads: 2 };
const sessions = { exported: await ort.InferenceSession.create(original, sessionOptions), rewritten: await ort.InferenceSession.create(rewritten, sessionOptions) };
const tokenizer = await loadTokenizer(await openModel(model), config);
const sentence = latencySentence(tokenizer.maskToken);
for (const texts of [[sentence], ['A short one.', sentence]]) {
  const rows = texts.map((text) => tokenizer.encode(text).ids);
  const length = Math.max(...rows.map((ids) => ids.length));
  const ids = new BigInt64Array(rows.length * length).fill(BigInt(tokenizer.padTokenId));
  const mask = new BigInt64Array(rows.length * length);
  rows.forEach((row, r) => row.forEach((id, j) => ((ids[r * length + j] = BigInt(id)), (mask[r * length + j] = 1n))));
  const feeds = { input_ids: new ort.Tensor('int64', ids, [rows.length, length]), attention_mask: new ort.Tensor('int64', mask, [rows.length, length]) };
  if (sessions.exported.inputNames.includes('token_type_ids')) feeds.token_type_ids = new ort.Tensor('int64', new BigInt64Array(ids.length), [rows.length, length]);
  const [a, b] = await Promise.all([sessions.exported.run(feeds), sessions.rewritten.run(feeds)].map(async (run) => (await run).logits.data));
  let differing = 0;
  // Padded positions' logits are meaningless; compare the attended ones.
  for (let i = 0; i < a.length; i++) if (mask[Math.floor(i / config.vocab_size)] === 1n && a[i] !== b[i]) differing++;
  console.log(`${texts.length} input(s), ${length} tokens: ${differing} of the attended positions' logits differ`);
}
await Promise.all(Object.values(sessions).map((session) => session.release()));

// fillmask's one-sentence latency on each graph: the rewritten one from a model folder of its own.
const folder = mkdtempSync(join(tmpdir(), 'fillmask-attention-'));
const times = { exported: [], 'one op': [] };
const ratios = [];
try {
  mkdirSync(join(folder, 'onnx'));
  for (const name of readdirSync(model)) if (statSync(join(model, name)).isFile()) copyFileSync(join(model, name), join(folder, name));
  writeFileSync(join(folder, 'onnx', fileName), rewritten);
  // Both graphs must get fillmask's own rewrite (the projection at the mask rows), or the timings compare other things.
  const rewrites = [];
  const backend = createOnnxBackend({ sessionOptions: { intraOpNumThreads: 2 }, onDebug: (line) => line.includes('run on the mask rows only') && rewrites.push(line) });
  const contenders = { exported: await createFillMask({ model, dtype, backend }), 'one op': await createFillMask({ model: folder, dtype, backend }) };
  try {
    if (rewrites.length !== 2) throw new Error(`fillmask rewrote ${rewrites.length} of the 2 graphs for the mask rows`);
    const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
    for (const fillMask of Object.values(contenders)) for (let i = 0; i < 10; i++) await fillMask.fill(sentence);
    for (let round = 0; round < Number(roundsArgument); round++) {
      for (const name of round % 2 ? ['exported', 'one op'] : ['one op', 'exported']) {
        await pause(100);
        const start = performance.now();
        await contenders[name].fill(sentence);
        times[name].push(performance.now() - start);
      }
      ratios.push(times['one op'].at(-1) / times.exported.at(-1));
    }
  } finally {
    await Promise.all(Object.values(contenders).map((fillMask) => fillMask.dispose()));
  }
} finally {
  rmSync(folder, { recursive: true, force: true });
}
const median = (values) => summarize(values).median;
console.log(`one sentence, median of ${ratios.length}: exported attention ${median(times.exported).toFixed(2)} ms, one op ${median(times['one op']).toFixed(2)} ms; one op / exported by round ${median(ratios).toFixed(3)}`);

/**
 * Each Softmax whose surroundings are the exported attention (query, key and value reshaped to
 * heads, key transposed, scores divided and masked) becomes one MultiHeadAttention on the query,
 * key and value before their reshapes. The additive mask `[batch, 1, 1, keys]` is expanded once to
 * `[batch, 1, queries, keys]`, the attention bias the op takes. Nodes left without readers go.
 */
function attentionAsOneOp(bytes, heads) {
  const { nodes, graphFields, modelFields, graphField } = readOnnxModel(bytes);
  const producers = new Map();
  const consumers = new Map();
  for (const node of nodes) {
    node.outputs.forEach((output) => producers.set(output, node));
    node.inputs.forEach((input) => consumers.set(input, [...(consumers.get(input) ?? []), node]));
  }
  const perm = (node) => node?.intAttributes.get('perm')?.join();
  const replaced = new Set();
  const replacements = new Map();
  let maskName;
  for (const softmax of nodes.filter((node) => node.opType === 'Softmax')) {
    const masked = producers.get(softmax.inputs[0]);
    const divide = masked?.inputs.map((input) => producers.get(input)).find((node) => node?.opType === 'Div');
    const scores = producers.get(divide?.inputs[0]);
    const [query, keyTransposed] = scores?.inputs.map((input) => producers.get(input)) ?? [];
    const context = consumers.get(softmax.outputs[0])?.[0];
    const value = producers.get(context?.inputs[1]);
    const contextTransposed = consumers.get(context?.outputs[0])?.[0];
    const merged = consumers.get(contextTransposed?.outputs[0])?.find((node) => node.opType === 'Reshape');
    const perms = [query, keyTransposed, value, contextTransposed].map(perm).join(' ');
    if (masked?.opType !== 'Add' || perms !== '0,2,1,3 0,2,3,1 0,2,1,3 0,2,1,3' || !merged) continue;
    const mask = masked.inputs.find((input) => producers.get(input) !== divide);
    if (maskName !== undefined && mask !== maskName) continue;
    maskName = mask;
    const reshapes = [query, keyTransposed, value].map((node) => producers.get(node.inputs[0]));
    [masked, divide, scores, query, keyTransposed, value, context, contextTransposed, merged, ...reshapes].forEach((node) => replaced.add(node));
    replacements.set(softmax, { inputs: [...reshapes.map((node) => node.inputs[0]), '', '', 'fillmask_attention_bias'], outputs: merged.outputs });
  }
  const int64s = (name, values) => encodeRawInitializer({ name, elementType: ElementType.int64, dims: [values.length], raw: new Uint8Array(BigInt64Array.from(values, BigInt).buffer) });
  const biasNodes = [
    { opType: 'Shape', inputs: [maskName], outputs: ['fillmask_bias/mask_shape'] },
    { opType: 'Slice', inputs: ['fillmask_bias/mask_shape', 'fillmask_bias/three', 'fillmask_bias/four'], outputs: ['fillmask_bias/keys'] },
    { opType: 'Concat', inputs: ['fillmask_bias/one_one', 'fillmask_bias/keys', 'fillmask_bias/one'], outputs: ['fillmask_bias/shape'], intAttributes: { axis: 0 } },
    { opType: 'Expand', inputs: [maskName, 'fillmask_bias/shape'], outputs: ['fillmask_attention_bias'] },
  ].map((node) => encodeNode({ name: node.outputs[0], ...node }));
  const addedNodes = biasNodes.length;
  // Back to front: a node stays if the logits, or a node that stays, read one of its outputs.
  const needed = new Set(['logits']);
  const live = new Set();
  for (const node of [...nodes].reverse()) {
    const replacement = replacements.get(node);
    if (!replacement && (replaced.has(node) || !node.outputs.some((output) => needed.has(output)))) continue;
    live.add(node);
    (replacement ? [...replacement.inputs, maskName] : node.inputs).forEach((input) => needed.add(input));
  }
  const nodeByField = new Map(nodes.map((node) => [node.field, node]));
  const parts = [];
  for (const field of graphFields) {
    const node = nodeByField.get(field);
    if (!node) parts.push(bytes.subarray(field.start, field.end));
    else if (replacements.has(node)) {
      if (biasNodes.length > 0) parts.push(...biasNodes.splice(0));
      const { inputs, outputs } = replacements.get(node);
      parts.push(encodeNode({ name: `${outputs[0]}/attention`, opType: 'MultiHeadAttention', domain: 'com.microsoft', inputs, outputs, intAttributes: { num_heads: heads } }));
    } else if (live.has(node)) parts.push(bytes.subarray(field.start, field.end));
  }
  parts.push(int64s('fillmask_bias/three', [3]), int64s('fillmask_bias/four', [4]), int64s('fillmask_bias/one_one', [1, 1]), int64s('fillmask_bias/one', [1]));
  const opsetImport = encodeMessageField(ModelField.opsetImport, [encodeStringField(1, 'com.microsoft'), encodeVarintField(2, 1)]);
  const fields = modelFields.flatMap((field) => (field === graphField ? [encodeMessageField(ModelField.graph, parts)] : [bytes.subarray(field.start, field.end)]));
  // A second import of the same domain is an error; an int8 graph may import it already.
  const importsMicrosoft = modelFields.some((field) => field.number === ModelField.opsetImport && new TextDecoder().decode(bytes.subarray(field.valueStart, field.valueEnd)).includes('com.microsoft'));
  return { rewritten: concatBytes(importsMicrosoft ? fields : [...fields, opsetImport]), attentions: replacements.size, removedNodes: nodes.length - live.size, addedNodes };
}
