import { computedFromMaskRows, readInitializers, readOnnxModel } from '@fillmask/core/graph';

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
}

/**
 * Reads the products with a constant weight from the graph a library actually runs, so the count
 * follows whatever a rewrite moved to the masks, or did not. The attention's products (of two
 * computed tensors) are not among them: see `batchFlops`.
 */
export function weightProducts(model: Uint8Array): WeightProduct[] {
  const view = readOnnxModel(model);
  if (!view) throw new Error('not an ONNX model: no graph');
  // Values in each constant tensor: the initializers, and what same-size ops make of them alone.
  const constantSizes = new Map([...readInitializers(model, view.graphFields)].map(([name, initializer]) => [name, valueCount(initializer.dims)]));
  const fromMaskRows = computedFromMaskRows(view.nodes);
  const products: WeightProduct[] = [];
  for (const node of view.nodes) {
    const value = node.opType === 'Constant' ? node.tensorAttributeDims.get('value') : undefined;
    if (value) constantSizes.set(node.outputs[0], valueCount(value));
    const source = constantSizes.get(node.inputs[0]);
    if (sameSizeOps.has(node.opType) && source !== undefined && node.inputs.every((input) => input === '' || constantSizes.has(input))) constantSizes.set(node.outputs[0], source);
    const weight = productOps.has(node.opType) ? constantSizes.get(node.inputs[1]) : undefined;
    if (weight !== undefined) products.push({ values: weight, atMasks: node.inputs.some((input) => fromMaskRows.has(input)) });
  }
  return products;
}

/** A graph's `weightProducts` summed by where they run. */
export function productsPerRow(model: Uint8Array): ProductsPerRow {
  return productsByPlace(weightProducts(model));
}

export function productsByPlace(products: readonly WeightProduct[]): ProductsPerRow {
  let everyPosition = 0;
  let masksOnly = 0;
  for (const product of products) {
    if (product.atMasks) masksOnly += product.values;
    else everyPosition += product.values;
  }
  return { everyPosition, masksOnly };
}

function valueCount(dims: readonly number[]): number {
  return dims.reduce((count, dim) => count * dim, 1);
}
