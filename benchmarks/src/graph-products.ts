import { computedFromMaskRows, ElementType, readInitializers, readOnnxModel, type OnnxNode } from '@fillmask/onnx';

/** Multiply-adds per position of a graph's products with constant weights, by where they run. */
export interface ProductsPerRow {
  /** Products run at every position of every input. */
  readonly everyPosition: number;
  /** Products run only at the masks: those fed by the rows fillmask's rewrite gathers. */
  readonly masksOnly: number;
}

// Conv: fillmask's 1×1 convolutions, whose filter `[out, in, 1, 1]` holds as many values as multiply-adds per row.
const productOps = new Set(['MatMul', 'MatMulInteger', 'Gemm', 'Conv']);

/** Ops that turn a constant into one with as many values (tied embeddings transposed, shared ALBERT weights, int8 scales applied). */
const sameSizeOps = new Set(['Transpose', 'Identity', 'Cast', 'DequantizeLinear']);

/** One product of activations by a constant weight matrix, as a graph runs it. */
export interface WeightProduct {
  /** Values in the weight (`in × out`): as many multiply-adds per row. */
  readonly values: number;
  /** True when it runs only at the masks: fed by the rows fillmask's rewrite gathers. */
  readonly atMasks: boolean;
  /** The ONNX element type of the weight the product reads (after a Cast or DequantizeLinear of it); undefined when unknown. */
  readonly elementType: number | undefined;
}

/**
 * Reads the products with a constant weight from the graph a library actually runs, so the count
 * follows whatever a rewrite moved to the masks, or did not. The attention's products (of two
 * computed tensors) are not among them: see `batchFlops`.
 */
export function weightProducts(model: Uint8Array): WeightProduct[] {
  const view = readOnnxModel(model);
  if (!view) throw new Error('not an ONNX model: no graph');
  // Each constant tensor's size and element type: the initializers, and what same-size ops make of them alone.
  const constants = new Map<string, { values: number; elementType: number | undefined }>(
    [...readInitializers(model, view.graphFields)].map(([name, initializer]) => [
      name,
      { values: valueCount(initializer.dims), elementType: initializer.elementType },
    ]),
  );
  const fromMaskRows = computedFromMaskRows(view.nodes);
  const products: WeightProduct[] = [];
  for (const node of view.nodes) {
    const value = node.opType === 'Constant' ? node.tensorAttributeDims.get('value') : undefined;
    if (value) constants.set(node.outputs[0], { values: valueCount(value), elementType: undefined });
    const source = constants.get(node.inputs[0]);
    if (sameSizeOps.has(node.opType) && source !== undefined && node.inputs.every((input) => input === '' || constants.has(input))) {
      constants.set(node.outputs[0], { values: source.values, elementType: elementTypeAfter(node, source.elementType) });
    }
    const weight = productOps.has(node.opType) ? constants.get(node.inputs[1]) : undefined;
    if (weight !== undefined)
      products.push({
        values: weight.values,
        atMasks: node.inputs.some((input) => fromMaskRows.has(input)),
        elementType: weight.elementType,
      });
  }
  return products;
}

/** Multiply-adds per row of a graph's `weightProducts`, summed by where they run. */
export function productsByPlace(products: readonly WeightProduct[]): ProductsPerRow {
  let everyPosition = 0;
  let masksOnly = 0;
  for (const product of products) {
    if (product.atMasks) masksOnly += product.values;
    else everyPosition += product.values;
  }
  return { everyPosition, masksOnly };
}

function elementTypeAfter(node: OnnxNode, input: number | undefined): number | undefined {
  if (node.opType === 'Cast') return node.intAttributes.get('to')?.[0];
  if (node.opType === 'DequantizeLinear') return ElementType.float;
  return input;
}

function valueCount(dims: readonly number[]): number {
  return dims.reduce((count, dim) => count * dim, 1);
}
