import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { externalDataEntry } from './external-data.js';
import { DataLocation, ElementType, GraphField, ModelField, TensorField } from './onnx-fields.js';
import { encodeInitializer, readInitializers } from './onnx-initializer.js';
import { readOnnxModel } from './onnx-model.js';
import { encodeNode } from './onnx-node.js';
import { encodeValueInfo, readValueInfo } from './onnx-value-info.js';
import { gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
import { productsAsPointwiseConvolutions } from './products-as-pointwise-convolutions.js';
import { concatBytes, encodeMessageField, encodeStringField, encodeVarintField } from './protobuf-wire.js';
import { readModelWithWeightsByReference } from './weights-by-reference.js';

const sessionOptions: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: 'all' };

/** Runs a graph given as a path, or as bytes whose external data (if any) lies in `folder`. */
async function runGraph(
  model: Uint8Array | string,
  feeds: Record<string, ort.Tensor>,
  folder?: string,
): Promise<ort.InferenceSession.OnnxValueMapType> {
  const options =
    folder === undefined
      ? sessionOptions
      : { ...sessionOptions, extra: { session: { model_external_initializers_file_folder_path: folder } } };
  const session =
    typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
  try {
    return await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]])));
  } finally {
    await session.release();
  }
}

function opCounts(model: Uint8Array): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of readOnnxModel(model)!.nodes) counts[node.opType] = (counts[node.opType] ?? 0) + 1;
  return counts;
}

function largestDifference(actual: ort.Tensor, expected: ort.Tensor): number {
  const [a, b] = [actual.data as Float32Array, expected.data as Float32Array];
  let largest = 0;
  for (let index = 0; index < b.length; index++) largest = Math.max(largest, Math.abs(a[index] - b[index]));
  return largest;
}

describe('productsAsPointwiseConvolutions', () => {
  const ids = [
    [101, 1996, 103, 2003, 1037, 103, 102],
    [101, 2023, 2003, 103, 102, 0, 0],
  ];
  const dims = [ids.length, ids[0].length];
  const feeds = {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), dims),
    attention_mask: new ort.Tensor(
      'int64',
      BigInt64Array.from(ids.flat(), (id) => (id === 0 ? 0n : 1n)),
      dims,
    ),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.flat().length), dims),
  };

  for (const model of fixtureModels) {
    it(`${model}/model.onnx: every weight product becomes a convolution and the logits stay the same to float32 rounding`, async () => {
      const path = join(fixtureModelPath(model), 'onnx', 'model.onnx');
      const original = new Uint8Array(readFileSync(path));
      const rewrite = productsAsPointwiseConvolutions(original);
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      const [before, after] = [opCounts(original), opCounts(rewrite.model)];
      // Only the attention's two products of computed tensors per layer stay MatMuls.
      const layers = (JSON.parse(readFileSync(join(fixtureModelPath(model), 'config.json'), 'utf8')) as { num_hidden_layers: number })
        .num_hidden_layers;
      expect(after.MatMul).toBe(2 * layers);
      expect(after.MatMul).toBe(before.MatMul - rewrite.convolutions);
      expect(after.Conv).toBe(rewrite.convolutions);
      expect(after.Add).toBe(before.Add - rewrite.biases);
      expect(rewrite.biases).toBeGreaterThan(0);
      // The word embeddings (the largest matrix, tied to the projection) are held once, as the projection's filter.
      const largest = (bytes: Uint8Array) =>
        [...readInitializers(bytes, readOnnxModel(bytes)!.graphFields).values()]
          .filter((tensor) => tensor.dims.length >= 2)
          .sort((p, q) => q.dims[0] - p.dims[0])[0];
      const [embeddings, filter] = [largest(original), largest(rewrite.model)];
      expect(filter.dims).toEqual([...embeddings.dims, 1, 1]);
      const size = (dims: readonly number[]) => dims.reduce((product, dim) => product * dim, 1);
      const asLarge = [...readInitializers(rewrite.model, readOnnxModel(rewrite.model)!.graphFields).values()].filter(
        (tensor) => size(tensor.dims) >= size(embeddings.dims),
      );
      expect(asLarge).toHaveLength(1);
      expect(readInitializers(rewrite.model, readOnnxModel(rewrite.model)!.graphFields).has(embeddings.name)).toBe(false);
      const [expected, actual] = [await runGraph(path, feeds), await runGraph(rewrite.model, feeds)];
      expect(actual.logits.dims).toEqual(expected.logits.dims);
      expect(largestDifference(actual.logits, expected.logits)).toBeLessThan(1e-5);
    });
  }

  it('at the mask rows only, converts the products computed from the gathered rows and keeps the logits', async () => {
    const path = join(fixtureModelPath('tiny-roberta'), 'onnx', 'model.onnx');
    const gathered = gatherMaskRows(new Uint8Array(readFileSync(path)));
    if (!gathered.rewritten) throw new Error(gathered.reason);
    const rewrite = productsAsPointwiseConvolutions(gathered.model, 'mask-rows');
    if (!rewrite.rewritten) throw new Error(rewrite.reason);
    // The last layer's attention output and feed-forward block (3), the head's transform and the projection.
    expect(rewrite.convolutions).toBe(5);
    const positions = { [maskPositionsInput]: new ort.Tensor('int64', BigInt64Array.of(2n, 5n, 10n), [3]) };
    const [expected, actual] = [
      await runGraph(gathered.model, { ...feeds, ...positions }),
      await runGraph(rewrite.model, { ...feeds, ...positions }),
    ];
    expect(actual.logits.dims).toEqual(expected.logits.dims);
    expect(largestDifference(actual.logits, expected.logits)).toBeLessThan(1e-5);
    // A graph that gathers no rows has none to convert.
    expect(productsAsPointwiseConvolutions(new Uint8Array(readFileSync(path)), 'mask-rows')).toEqual({
      rewritten: false,
      reason: 'no product of activations by an fp32 weight matrix at the mask rows',
      noProducts: true,
    });
  });

  it("ALBERT's shared layers share one filter per weight matrix", () => {
    const original = new Uint8Array(readFileSync(join(fixtureModelPath('tiny-albert'), 'onnx', 'model.onnx')));
    const rewrite = productsAsPointwiseConvolutions(original);
    if (!rewrite.rewritten) throw new Error(rewrite.reason);
    const { nodes } = readOnnxModel(rewrite.model)!;
    const filters = new Set(nodes.filter((node) => node.opType === 'Conv').map((node) => node.inputs[1]));
    // 2 layers sharing their 6 matrices, the embedding mapping, the head's dense layer and the tied projection.
    expect(rewrite.convolutions).toBeGreaterThan(filters.size);
    expect(filters.size).toBe(9);
  });

  describe('on a small graph', () => {
    // y = x·W + b, z = y·W2 (W2 read through an Identity), logits = z·Eᵀ with E also looked up by ids (tied
    // embeddings), side = a·W2; kept = y·W3 with W3 also read by an Add.
    const values = (count: number, seed: number) => Float32Array.from({ length: count }, (_, index) => Math.sin(seed + index * 0.7));
    function model(opset = 17, weightType: number = ElementType.float): Uint8Array {
      const weightValues = values(4 * 5, 1);
      const graph = encodeMessageField(ModelField.graph, [
        encodeNode({ name: 'product', opType: 'MatMul', inputs: ['x', 'W'], outputs: ['xw'] }),
        encodeNode({ name: 'bias', opType: 'Add', inputs: ['b', 'xw'], outputs: ['y'] }),
        encodeNode({ name: 'shared', opType: 'Identity', inputs: ['W2'], outputs: ['W2_shared'] }),
        encodeNode({ name: 'second', opType: 'MatMul', inputs: ['y', 'W2_shared'], outputs: ['z'] }),
        encodeNode({ name: 'tied', opType: 'Transpose', inputs: ['E'], outputs: ['E_t'], intAttributes: { perm: [1, 0] } }),
        encodeNode({ name: 'projection', opType: 'MatMul', inputs: ['z', 'E_t'], outputs: ['logits'] }),
        encodeNode({ name: 'z_t', opType: 'Transpose', inputs: ['z'], outputs: ['z_t'], intAttributes: { perm: [0, 2, 1] } }),
        encodeNode({ name: 'attention_like', opType: 'MatMul', inputs: ['y', 'z_t'], outputs: ['scores'] }),
        encodeNode({ name: 'side', opType: 'MatMul', inputs: ['a', 'W2'], outputs: ['side'] }),
        encodeNode({ name: 'lookup', opType: 'Gather', inputs: ['E', 'ids'], outputs: ['looked_up'] }),
        encodeNode({ name: 'kept', opType: 'MatMul', inputs: ['y', 'W3'], outputs: ['kept'] }),
        encodeNode({ name: 'other_reader', opType: 'Add', inputs: ['W3', 'W3'], outputs: ['w3_twice'] }),
        encodeStringField(2, 'synthetic'),
        weightType === ElementType.float
          ? encodeInitializer({ name: 'W', elementType: ElementType.float, dims: [4, 5], values: weightValues })
          : encodeInitializer({
              name: 'W',
              elementType: ElementType.int32,
              dims: [4, 5],
              values: Int32Array.from(weightValues, (value) => Math.round(value * 10)),
            }),
        encodeInitializer({ name: 'b', elementType: ElementType.float, dims: [5], values: values(5, 2) }),
        encodeInitializer({ name: 'W2', elementType: ElementType.float, dims: [5, 5], values: values(25, 3) }),
        encodeInitializer({ name: 'E', elementType: ElementType.float, dims: [6, 5], values: values(30, 4) }),
        encodeInitializer({ name: 'W3', elementType: ElementType.float, dims: [5, 2], values: values(10, 7) }),
        encodeValueInfo(GraphField.input, { name: 'ids', elementType: ElementType.int64, shape: [2, 'count'] }),
        encodeValueInfo(GraphField.output, { name: 'looked_up', elementType: ElementType.float, shape: [2, 'count', 5] }),
        encodeValueInfo(GraphField.output, { name: 'kept', elementType: ElementType.float, shape: ['batch', 'sequence', 2] }),
        encodeValueInfo(GraphField.output, { name: 'w3_twice', elementType: ElementType.float, shape: [5, 2] }),
        encodeValueInfo(GraphField.input, { name: 'x', elementType: ElementType.float, shape: ['batch', 'sequence', 4] }),
        encodeValueInfo(GraphField.input, { name: 'a', elementType: ElementType.float, shape: ['rows', 5] }),
        encodeValueInfo(GraphField.output, { name: 'logits', elementType: ElementType.float, shape: ['batch', 'sequence', 6] }),
        encodeValueInfo(GraphField.output, { name: 'side', elementType: ElementType.float, shape: ['rows', 5] }),
        encodeValueInfo(GraphField.valueInfo, { name: 'xw', elementType: ElementType.float, shape: ['batch', 'sequence', 5] }),
      ]);
      return concatBytes([
        encodeVarintField(1, 8),
        encodeMessageField(ModelField.opsetImport, [encodeStringField(1, ''), encodeVarintField(2, opset)]),
        graph,
      ]);
    }
    const x = new ort.Tensor('float32', values(2 * 3 * 4, 5), [2, 3, 4]);
    const a = new ort.Tensor('float32', values(3 * 5, 6), [3, 5]);
    const ids = new ort.Tensor('int64', BigInt64Array.of(5n, 0n, 2n, 2n, 1n, 4n), [2, 3]);

    it('turns each product by a weight matrix into a convolution, bias included, with one filter per matrix, and keeps the outputs', async () => {
      const rewrite = productsAsPointwiseConvolutions(model());
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      expect(rewrite).toMatchObject({ convolutions: 4, biases: 1 });
      const { nodes, graphFields } = readOnnxModel(rewrite.model)!;
      // The product of two computed tensors stays, and so does the one by W3, which an Add reads too.
      expect(nodes.filter((node) => node.opType === 'MatMul').map((node) => node.inputs)).toEqual([
        ['y', 'z_t'],
        ['y', 'W3'],
      ]);
      // W2 read directly and through an Identity is one filter; the Identity and the Transpose of E are gone.
      expect(new Set(nodes.filter((node) => node.opType === 'Conv').map((node) => node.inputs[1])).size).toBe(3);
      expect(nodes.filter((node) => node.opType === 'Conv').map((node) => node.inputs.length)).toEqual([3, 2, 2, 2]);
      expect(nodes.filter((node) => ['Identity', 'Transpose'].includes(node.opType) && ['W2', 'E'].includes(node.inputs[0]))).toEqual([]);
      // The lookup reads the rows of E's filter; W, W2 and E are held once, as filters.
      const lookup = nodes.find((node) => node.opType === 'Gather')!;
      expect(lookup.inputs[0]).toMatch(/filter\/E\/NK$/);
      const initializerNames = [...readInitializers(rewrite.model, graphFields).keys()];
      expect(initializerNames.filter((name) => ['W', 'W2', 'E'].includes(name))).toEqual([]);
      expect(initializerNames).toContain('W3');
      // The fused Add's input no longer exists, nor does the shape recorded for it.
      expect(nodes.some((node) => node.inputs.includes('xw') || node.outputs.includes('xw'))).toBe(false);
      expect(
        graphFields.filter((field) => field.number === GraphField.valueInfo).map((field) => readValueInfo(rewrite.model, field).name),
      ).toEqual([]);
      const [expected, actual] = [await runGraph(model(), { x, a, ids }), await runGraph(rewrite.model, { x, a, ids })];
      for (const name of ['logits', 'side', 'looked_up', 'kept', 'w3_twice']) {
        expect(actual[name].dims).toEqual(expected[name].dims);
        for (const [index, value] of (actual[name].data as Float32Array).entries()) {
          expect(value).toBeCloseTo((expected[name].data as Float32Array)[index], 5);
        }
      }
    });

    it('names the bytes of weights left in the file instead of copying them, and reads only the matrices it transposes', async () => {
      const original = model();
      const folder = mkdtempSync(join(tmpdir(), 'fillmask-convolutions-by-reference-'));
      try {
        writeFileSync(join(folder, 'model.onnx'), original);
        const reader = { size: original.length, read: async (offset: number, length: number) => original.slice(offset, offset + length) };
        const { model: byReference } = await readModelWithWeightsByReference(reader, { location: 'model.onnx', minBytes: 1 });
        const referenced = readInitializers(byReference, readOnnxModel(byReference)!.graphFields);
        expect([...referenced.values()].filter((tensor) => tensor.external).map((tensor) => tensor.name)).toEqual([
          'W',
          'b',
          'W2',
          'E',
          'W3',
        ]);
        const filterOf = (rewritten: Uint8Array, matrix: string) =>
          [...readInitializers(rewritten, readOnnxModel(rewritten)!.graphFields).values()].find((tensor) =>
            tensor.name.endsWith(`/filter/${matrix}`),
          );

        // Without a reader (whose caller's runtime finds the external data), weights in external data stay MatMul weights.
        expect(productsAsPointwiseConvolutions(byReference)).toEqual({
          rewritten: false,
          reason: 'its fp32 weight matrices lie in external data, and no reader of it was given',
        });

        // With one, the tied embeddings (stored [N, K]) become a filter naming the same bytes of the file with the
        // filter's dims, unread; the [K, N] matrices are read (W2 once, though two products use it) and transposed into the graph.
        const reads: Array<[string, number, number]> = [];
        const readExternalData = (location: string, offset: number, length: number) => {
          reads.push([location, offset, length]);
          return original.slice(offset, offset + length);
        };
        const rewrite = productsAsPointwiseConvolutions(byReference, 'everywhere', { readExternalData });
        if (!rewrite.rewritten) throw new Error(rewrite.reason);
        expect(rewrite).toMatchObject({ convolutions: 4, biases: 1 });
        const at = (name: string) => referenced.get(name)!.externalData!;
        expect(reads).toEqual([
          ['model.onnx', at('W').offset, 4 * 5 * 4],
          ['model.onnx', at('W2').offset, 5 * 5 * 4],
        ]);
        expect(filterOf(rewrite.model, 'W/KN')).toMatchObject({ dims: [5, 4, 1, 1], external: false });
        expect(filterOf(rewrite.model, 'E/NK')).toMatchObject({
          dims: [6, 5, 1, 1],
          external: true,
          externalData: { ...at('E'), length: 6 * 5 * 4 },
          rawData: undefined,
        });
        // W3 (which an Add reads too) stays where it was.
        expect(readInitializers(rewrite.model, readOnnxModel(rewrite.model)!.graphFields).get('W3')).toMatchObject({ external: true });

        const [expected, actual] = [await runGraph(original, { x, a, ids }), await runGraph(rewrite.model, { x, a, ids }, folder)];
        for (const name of ['logits', 'side', 'looked_up', 'kept', 'w3_twice']) {
          expect(actual[name].dims).toEqual(expected[name].dims);
          for (const [index, value] of (actual[name].data as Float32Array).entries()) {
            expect(value).toBeCloseTo((expected[name].data as Float32Array)[index], 5);
          }
        }
        // A reader that returns fewer bytes than the matrix holds is an error, not a filter of garbage.
        expect(() => productsAsPointwiseConvolutions(byReference, 'everywhere', { readExternalData: () => new Uint8Array(8) })).toThrow(
          'W: 8 bytes of external data read, not 80',
        );
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });

    it('reads a weight in external data only at a range of its size, and takes a missing length as its size', () => {
      const externalWeight = (entries: Record<string, string>) => {
        const graph = encodeMessageField(ModelField.graph, [
          encodeNode({ name: 'product', opType: 'MatMul', inputs: ['v', 'W'], outputs: ['vw'] }),
          encodeStringField(2, 'synthetic'),
          encodeMessageField(GraphField.initializer, [
            encodeVarintField(TensorField.dims, 5),
            encodeVarintField(TensorField.dims, 4),
            encodeVarintField(TensorField.dataType, ElementType.float),
            encodeStringField(TensorField.name, 'W'),
            ...Object.entries(entries).map(([key, value]) => externalDataEntry(key, value)),
            encodeVarintField(TensorField.dataLocation, DataLocation.external),
          ]),
          encodeValueInfo(GraphField.input, { name: 'v', elementType: ElementType.float, shape: ['rows', 5] }),
          encodeValueInfo(GraphField.output, { name: 'vw', elementType: ElementType.float, shape: ['rows', 4] }),
        ]);
        return concatBytes([
          encodeVarintField(1, 8),
          encodeMessageField(ModelField.opsetImport, [encodeStringField(1, ''), encodeVarintField(2, 17)]),
          graph,
        ]);
      };
      const reads: number[][] = [];
      const readExternalData = (_location: string, offset: number, length: number) => {
        reads.push([offset, length]);
        return new Uint8Array(length);
      };
      expect(
        productsAsPointwiseConvolutions(externalWeight({ location: 'weights.bin', offset: '64' }), 'everywhere', { readExternalData }),
      ).toMatchObject({ rewritten: true, convolutions: 1 });
      expect(reads).toEqual([[64, 5 * 4 * 4]]);
      const unread = { rewritten: false, reason: 'no product of activations by an fp32 weight matrix', noProducts: true };
      expect(
        productsAsPointwiseConvolutions(externalWeight({ location: 'weights.bin', offset: '64', length: '40' }), 'everywhere', {
          readExternalData,
        }),
      ).toEqual(unread);
      expect(
        productsAsPointwiseConvolutions(externalWeight({ location: 'weights.bin', offset: '-8' }), 'everywhere', { readExternalData }),
      ).toEqual(unread);
      expect(
        productsAsPointwiseConvolutions(externalWeight({ location: 'weights.bin', offset: 'soon' }), 'everywhere', { readExternalData }),
      ).toEqual(unread);
      expect(reads).toHaveLength(1);
    });

    it('keeps a matrix that a converted product also multiplies as activations', async () => {
      // J = Identity(W2) is the weights of one product and the activations of another.
      const graph = encodeMessageField(ModelField.graph, [
        encodeNode({ name: 'shared', opType: 'Identity', inputs: ['W2'], outputs: ['J'] }),
        encodeNode({ name: 'by_j', opType: 'MatMul', inputs: ['v', 'J'], outputs: ['vj'] }),
        encodeNode({ name: 'j_by_w', opType: 'MatMul', inputs: ['J', 'W'], outputs: ['jw'] }),
        encodeStringField(2, 'synthetic'),
        encodeInitializer({ name: 'W2', elementType: ElementType.float, dims: [5, 5], values: values(25, 3) }),
        encodeInitializer({ name: 'W', elementType: ElementType.float, dims: [5, 4], values: values(20, 1) }),
        encodeValueInfo(GraphField.input, { name: 'v', elementType: ElementType.float, shape: ['rows', 5] }),
        encodeValueInfo(GraphField.output, { name: 'vj', elementType: ElementType.float, shape: ['rows', 5] }),
        encodeValueInfo(GraphField.output, { name: 'jw', elementType: ElementType.float, shape: [5, 4] }),
      ]);
      const original = concatBytes([
        encodeVarintField(1, 8),
        encodeMessageField(ModelField.opsetImport, [encodeStringField(1, ''), encodeVarintField(2, 17)]),
        graph,
      ]);
      const rewrite = productsAsPointwiseConvolutions(original);
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      expect(rewrite.convolutions).toBe(1);
      const { nodes } = readOnnxModel(rewrite.model)!;
      expect(nodes.filter((node) => node.opType === 'MatMul').map((node) => node.inputs)).toEqual([['v', 'J']]);
      const v = new ort.Tensor('float32', values(2 * 5, 8), [2, 5]);
      const [expected, actual] = [await runGraph(original, { v }), await runGraph(rewrite.model, { v })];
      for (const name of ['vj', 'jw']) {
        for (const [index, value] of (actual[name].data as Float32Array).entries()) {
          expect(value).toBeCloseTo((expected[name].data as Float32Array)[index], 5);
        }
      }
    });

    it('leaves products by weights of another type as they are', () => {
      const rewrite = productsAsPointwiseConvolutions(model(17, ElementType.int32));
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      expect(rewrite.convolutions).toBe(3);
      expect(
        readOnnxModel(rewrite.model)!
          .nodes.filter((node) => node.opType === 'MatMul')
          .map((node) => node.inputs[1]),
      ).toEqual(['W', 'z_t', 'W3']);
    });

    it('says why it leaves a graph alone', () => {
      expect(productsAsPointwiseConvolutions(model(9))).toEqual({ rewritten: false, reason: 'opset 9 is older than 10' });
      expect(productsAsPointwiseConvolutions(encodeVarintField(1, 8))).toEqual({ rewritten: false, reason: 'the model has no graph' });
      const quantized = new Uint8Array(readFileSync(join(fixtureModelPath('tiny-bert-uncased'), 'onnx', 'model_quantized.onnx')));
      expect(productsAsPointwiseConvolutions(quantized)).toEqual({
        rewritten: false,
        reason: 'no product of activations by an fp32 weight matrix',
        noProducts: true,
      });
    });
  });
});
