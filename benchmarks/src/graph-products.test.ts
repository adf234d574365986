import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareBatchGraph, prepareFillMaskGraphs } from '@fillmask/onnx';
import { fixtureModelPath, type FixtureModel } from '@fillmask/fixtures';
import { ElementType } from '@fillmask/onnx';
import { productsByPlace, weightProducts } from './graph-products.js';

function modelBytes(model: FixtureModel, file: string): Uint8Array {
  return readFileSync(join(fixtureModelPath(model), 'onnx', file));
}

// The fixtures' sizes (config.json): 2 layers, hidden 32, intermediate 64.
const layer = 4 * 32 * 32 + 2 * 32 * 64;
const lastLayerOutputBlock = 32 * 32 + 2 * 32 * 64;

const productsPerRow = (model: Uint8Array) => productsByPlace(weightProducts(model));

describe('weightProducts', () => {
  it("lists each product with its weight's size, element type and whether it runs at the masks, in graph order", () => {
    const model = modelBytes('tiny-roberta', 'model.onnx');
    const exported = weightProducts(model);
    expect(exported).toHaveLength(14);
    expect(exported.every((product) => !product.atMasks && product.elementType === ElementType.float)).toBe(true);
    const rewritten = weightProducts(prepareFillMaskGraphs(model).single.model!);
    expect(rewritten.map((product) => product.atMasks)).toEqual([...Array<boolean>(9).fill(false), ...Array<boolean>(5).fill(true)]);
    expect(rewritten.slice(9).map((product) => product.values)).toEqual([32 * 32, 32 * 64, 64 * 32, 32 * 32, 32 * 50265]);
  });

  it('gives the element type the product reads: int8 weights in a q8 graph', () => {
    const types = new Set(weightProducts(modelBytes('tiny-roberta', 'model_quantized.onnx')).map((product) => product.elementType));
    expect(types.has(ElementType.float)).toBe(false);
  });
});

describe('productsByPlace', () => {
  it('counts every layer, the head and the projection at every position of a graph as exported', () => {
    expect(productsPerRow(modelBytes('tiny-roberta', 'model.onnx'))).toEqual({
      everyPosition: 2 * layer + 32 * 32 + 32 * 50265,
      masksOnly: 0,
    });
    expect(productsPerRow(modelBytes('tiny-bert-uncased', 'model_quantized.onnx'))).toEqual({
      everyPosition: 2 * layer + 32 * 32 + 32 * 30522,
      masksOnly: 0,
    });
  });

  it("counts ALBERT's factorised embedding: the mapping in, and a head to the embedding width", () => {
    expect(productsPerRow(modelBytes('tiny-albert', 'model.onnx'))).toEqual({
      everyPosition: 16 * 32 + 2 * layer + 32 * 16 + 16 * 30000,
      masksOnly: 0,
    });
  });

  it("moves the last layer's output block, the head and the projection to the masks in fillmask's fp32 rewrite", () => {
    const rewritten = prepareFillMaskGraphs(modelBytes('tiny-roberta', 'model.onnx')).single.model!;
    expect(productsPerRow(rewritten)).toEqual({
      everyPosition: 2 * layer - lastLayerOutputBlock,
      masksOnly: lastLayerOutputBlock + 32 * 32 + 32 * 50265,
    });
  });

  it('counts the same products once they run as 1×1 convolutions', () => {
    const model = modelBytes('tiny-roberta', 'model.onnx');
    const asConvolutions = prepareFillMaskGraphs(model, { pointwiseConvolutions: 'everywhere' }).single.model!;
    expect(productsPerRow(asConvolutions)).toEqual(productsPerRow(prepareFillMaskGraphs(model).single.model!));
  });

  it('moves only the projection to the masks in the rewrites of an int8 graph, the per-input variant included', () => {
    const model = modelBytes('tiny-roberta', 'model_quantized.onnx');
    const expected = { everyPosition: 2 * layer + 32 * 32, masksOnly: 32 * 50265 };
    expect(productsPerRow(prepareFillMaskGraphs(model).single.model!)).toEqual(expected);
    expect(productsPerRow(prepareBatchGraph(model).graph.model)).toEqual(expected);
  });

  it('rejects bytes that hold no graph', () => {
    expect(() => productsPerRow(new Uint8Array([8, 7]))).toThrow(/no graph/);
  });
});
