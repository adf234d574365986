import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { ElementType, GraphField, ModelField } from './onnx-fields.js';
import { readInitializers } from './onnx-initializer.js';
import { readOnnxModel } from './onnx-model.js';
import { encodeNode } from './onnx-node.js';
import { encodeValueInfo } from './onnx-value-info.js';
import { concatBytes, encodeMessageField, encodeStringField, encodeVarintField } from './protobuf-wire.js';
import { int8WeightsAsUnsigned } from './unsigned-int8-weights.js';

/** onnxruntime's exact u8×u8 kernel asked for, or not: on x64 without VNNI, without it int8 weights meet the saturating u8×s8 kernel. */
const exactKernel = (asked: boolean): ort.InferenceSession.SessionOptions => ({
  graphOptimizationLevel: 'all',
  extra: { session: { x64quantprecision: asked ? '1' : '0' } },
});

function elementTypes(model: Uint8Array): Map<string, number | undefined> {
  const parsed = readOnnxModel(model)!;
  return new Map([...readInitializers(model, parsed.graphFields)].map(([name, tensor]) => [name, tensor.elementType]));
}

async function logitsOf(model: Uint8Array, options: ort.InferenceSession.SessionOptions): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, options);
  try {
    const ids = [101, 1996, 103, 2003, 1037, 2307, 2154, 1012, 102, 101, 2023, 2003, 103, 102, 0, 0, 0, 0];
    const dims = [2, 9];
    const all: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
      attention_mask: new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, (id) => (id === 0 ? 0n : 1n)),
        dims,
      ),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
    };
    const outputs = await session.run(Object.fromEntries(session.inputNames.map((name) => [name, all[name]])));
    return outputs.logits.data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('int8WeightsAsUnsigned', () => {
  for (const model of fixtureModels) {
    it(`${model}: stores every int8 matrix of a product as uint8, and the logits stay the same bit for bit`, async () => {
      const original = new Uint8Array(readFileSync(join(fixtureModelPath(model), 'onnx', 'model_quantized.onnx')));
      const products = readOnnxModel(original)!.nodes.filter((node) => node.opType === 'MatMulInteger');
      const rewrite = int8WeightsAsUnsigned(original);
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      const types = elementTypes(rewrite.model);
      // Through a Transpose (a head tied to the embeddings) and an Identity (ALBERT's shared layers), every product's weights and zero point.
      const weightsOf = (name: string): string =>
        readOnnxModel(rewrite.model)!.nodes.find((node) => node.outputs[0] === name)?.inputs[0] ?? name;
      for (const product of products) {
        expect(types.get(weightsOf(product.inputs[1])), product.inputs[1]).toBe(ElementType.uint8);
        expect(types.get(product.inputs[3]), product.inputs[3]).toBe(ElementType.uint8);
      }
      const expected = await logitsOf(original, exactKernel(true));
      expect(await logitsOf(rewrite.model, exactKernel(true))).toEqual(expected);
      // uint8 weights meet the exact kernel whatever the setting.
      expect(await logitsOf(rewrite.model, exactKernel(false))).toEqual(expected);
    });
  }

  describe('a product by a matrix of extreme values', () => {
    const [rows, depth, columns] = [3, 64, 4];
    // 255 × 127 + 255 × 127 overflows the int16 pair sums of onnxruntime's fast u8×s8 kernel on x64 without VNNI.
    const activations = Uint8Array.from({ length: rows * depth }, (_, index) => (index % 7 === 0 ? 3 : 255));
    const weights = Int8Array.from({ length: depth * columns }, (_, index) => [127, -128, 127, 5][index % columns] - (index % 3));
    const exact = Array.from({ length: rows * columns }, (_, cell) => {
      const [row, column] = [Math.floor(cell / columns), cell % columns];
      let sum = 0;
      for (let k = 0; k < depth; k++) sum += activations[row * depth + k] * weights[k * columns + column];
      return sum;
    });
    const matrix = (name: string, values: Int8Array, dims: number[]) =>
      encodeMessageField(GraphField.initializer, [
        ...dims.map((size) => encodeVarintField(1, size)),
        encodeVarintField(2, ElementType.int8),
        encodeStringField(8, name),
        encodeMessageField(9, [new Uint8Array(values.buffer, values.byteOffset, values.byteLength)]),
      ]);
    const graph = (nodes: Uint8Array[], initializers: Uint8Array[], outputs: Array<[string, number]>) =>
      concatBytes([
        encodeVarintField(1, 8),
        encodeMessageField(ModelField.opsetImport, [encodeStringField(1, ''), encodeVarintField(2, 13)]),
        encodeMessageField(ModelField.graph, [
          ...nodes,
          ...initializers,
          encodeValueInfo(GraphField.input, { name: 'a', elementType: ElementType.uint8, shape: ['rows', depth] }),
          ...outputs.map(([name, elementType]) => encodeValueInfo(GraphField.output, { name, elementType, shape: ['rows', columns] })),
        ]),
      ]);
    const run = async (model: Uint8Array, options: ort.InferenceSession.SessionOptions, output = 'y') => {
      const session = await ort.InferenceSession.create(model, options);
      try {
        const result = await session.run({ a: new ort.Tensor('uint8', activations, [rows, depth]) });
        return Array.from(result[output].data as Int32Array);
      } finally {
        await session.release();
      }
    };

    it('gives a product without a weight zero point one of 128, and the exact products without the setting', async () => {
      const model = graph(
        [encodeNode({ name: 'product', opType: 'MatMulInteger', inputs: ['a', 'w'], outputs: ['y'] })],
        [matrix('w', weights, [depth, columns])],
        [['y', ElementType.int32]],
      );
      const rewrite = int8WeightsAsUnsigned(model);
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      expect(rewrite.matrices).toBe(1);
      expect(readOnnxModel(rewrite.model)!.nodes[0].inputs).toEqual(['a', 'w', '', 'fillmask_unsigned_weights/zero_point_128']);
      expect(await run(rewrite.model, exactKernel(false))).toEqual(exact);
      expect(await run(model, exactKernel(true))).toEqual(exact);
    });

    it('leaves a matrix read by another op, and one sharing its zero point with it, as they are', () => {
      const zeroPoint = (name: string) =>
        encodeMessageField(GraphField.initializer, [
          encodeVarintField(2, ElementType.int8),
          encodeStringField(8, name),
          encodeMessageField(9, [Uint8Array.of(0)]),
        ]);
      const model = graph(
        [
          encodeNode({ name: 'product', opType: 'MatMulInteger', inputs: ['a', 'w', '', 'wz'], outputs: ['y'] }),
          encodeNode({ name: 'other', opType: 'MatMulInteger', inputs: ['a', 'v', '', 'wz'], outputs: ['z'] }),
          encodeNode({ name: 'cast', opType: 'Cast', inputs: ['v'], outputs: ['vf'], intAttributes: { to: ElementType.float } }),
          encodeNode({ name: 'third', opType: 'MatMulInteger', inputs: ['a', 'u', '', 'uz'], outputs: ['t'] }),
        ],
        [
          matrix('w', weights, [depth, columns]),
          matrix('v', weights, [depth, columns]),
          matrix('u', weights, [depth, columns]),
          zeroPoint('wz'),
          zeroPoint('uz'),
        ],
        [
          ['y', ElementType.int32],
          ['z', ElementType.int32],
          ['t', ElementType.int32],
        ],
      );
      const rewrite = int8WeightsAsUnsigned(model);
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      expect(rewrite.matrices).toBe(1);
      expect(Object.fromEntries(elementTypes(rewrite.model))).toEqual({
        w: ElementType.int8,
        v: ElementType.int8,
        wz: ElementType.int8,
        u: ElementType.uint8,
        uz: ElementType.uint8,
      });
    });

    it('reads matrices in external data through the reader, and leaves them without one', () => {
      const external = encodeMessageField(GraphField.initializer, [
        encodeVarintField(1, depth),
        encodeVarintField(1, columns),
        encodeVarintField(2, ElementType.int8),
        encodeStringField(8, 'w'),
        encodeMessageField(13, [encodeStringField(1, 'location'), encodeStringField(2, 'weights.bin')]),
        encodeMessageField(13, [encodeStringField(1, 'offset'), encodeStringField(2, '16')]),
        encodeMessageField(13, [encodeStringField(1, 'length'), encodeStringField(2, String(depth * columns))]),
        encodeVarintField(14, 1),
      ]);
      const model = graph(
        [encodeNode({ name: 'product', opType: 'MatMulInteger', inputs: ['a', 'w'], outputs: ['y'] })],
        [external],
        [['y', ElementType.int32]],
      );
      expect(int8WeightsAsUnsigned(model).rewritten).toBe(false);
      const reads: Array<[string, number, number]> = [];
      const rewrite = int8WeightsAsUnsigned(model, {
        readExternalData: (location, offset, length) => {
          reads.push([location, offset, length]);
          return new Uint8Array(weights.buffer.slice(0));
        },
      });
      if (!rewrite.rewritten) throw new Error(rewrite.reason);
      expect(reads).toEqual([['weights.bin', 16, depth * columns]]);
      const stored = readInitializers(rewrite.model, readOnnxModel(rewrite.model)!.graphFields).get('w')!;
      expect(stored.external).toBe(false);
      expect(Array.from(stored.rawData!)).toEqual(Array.from(weights, (value) => value + 128));
    });
  });
});
