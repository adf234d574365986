import { ElementType, GraphField } from './onnx-fields.js';
import { readInitializers, encodeInitializer, type OnnxInitializer } from './onnx-initializer.js';
import { readOnnxModel, replaceGraph } from './onnx-model.js';
import { encodeNode, isDefaultDomain, linkNodes, type OnnxNode } from './onnx-node.js';
import { readValueInfo } from './onnx-value-info.js';

export type PointwiseConvolutionRewrite =
  | {
      readonly rewritten: true;
      readonly model: Uint8Array;
      /** How many products became convolutions, and how many of those took their bias Add in. */
      readonly convolutions: number;
      readonly biases: number;
    }
  | { readonly rewritten: false; readonly reason: string };

/** A product's weights: an fp32 matrix initializer, used as it is (`[K, N]`) or through a Transpose (stored `[N, K]`, as tied embeddings are). */
interface WeightSource {
  readonly initializer: OnnxInitializer;
  readonly storedTransposed: boolean;
}

/**
 * Rewrites every product of activations by a constant fp32 weight matrix (`MatMul(x, W)`, with the
 * bias `Add` after it when there is one) into a 1×1 convolution over the flattened rows:
 * `x [..., K]` → `[1, rows, 1, K]` → NCHW → `Conv` with `W` as `[N, K, 1, 1]` → NHWC → `[..., N]`.
 *
 * Why: onnxruntime's CPU provider runs such a convolution with its blocked NCHWc kernels (graph
 * optimisation level 'all' turns the two transposes into the layout reorders of those kernels). On
 * the few rows of one sentence they keep the cores busier than the MatMul kernel, which waits on
 * the weights: measured on the benchmark's 2-core AVX2 VM, 18 rows × 768 × 3072 took 0.73 ms
 * instead of 0.93, and distilroberta's one-sentence run 19.6 ms instead of 24.7. On batches of
 * hundreds of rows the MatMul kernel is as fast or a few percent faster.
 *
 * Each output is the same sum of the same products, added in another order: values move by float32
 * rounding only. The weights' transposes and reshapes are graph nodes on the initializers, which
 * onnxruntime folds once at load; a matrix several products share (ALBERT's layers) gets one.
 * Products of two computed tensors (attention), of other types or with weights in external files
 * are left as they are.
 */
export function productsAsPointwiseConvolutions(model: Uint8Array): PointwiseConvolutionRewrite {
  const parsed = readOnnxModel(model);
  if (!parsed) return { rewritten: false, reason: 'the model has no graph' };
  const { opset, graphFields, nodes } = parsed;
  // Slice with its bounds as inputs arrived in opset 10.
  if (opset !== undefined && opset < 10) return { rewritten: false, reason: `opset ${opset} is older than 10` };
  const initializers = readInitializers(model, graphFields);
  const { producers, consumers } = linkNodes(nodes);
  const graphOutputs = new Set(graphFields.filter((field) => field.number === GraphField.output).map((field) => readValueInfo(model, field).name));
  const usedNames = new Set([...nodes.flatMap((node) => [...node.inputs, ...node.outputs]), ...initializers.keys()]);
  const prefix = uniquePrefix(usedNames);

  const products = new Map<OnnxNode, { weights: WeightSource; bias?: { add: OnnxNode; name: string } }>();
  for (const node of nodes) {
    if (node.opType !== 'MatMul' || !isDefaultDomain(node)) continue;
    const weights = weightSource(node.inputs[1], producers, initializers);
    if (!weights || initializers.has(node.inputs[0])) continue;
    products.set(node, { weights, bias: biasAdd(node, columns(weights), consumers, graphOutputs, initializers) });
  }
  if (products.size === 0) return { rewritten: false, reason: 'no product of activations by an fp32 weight matrix' };
  if ([...products.values()].some(({ weights }) => weights.initializer.external)) return { rewritten: false, reason: 'weights are stored in external files' };

  const fusedAdds = new Set([...products.values()].flatMap(({ bias }) => (bias ? [bias.add] : [])));
  const droppedTensors = new Set([...products].flatMap(([product, { bias }]) => (bias ? [product.outputs[0]] : [])));
  const head: Uint8Array[] = [
    encodeInitializer({ name: `${prefix}/zero`, elementType: ElementType.int64, dims: [1], values: BigInt64Array.of(0n) }),
    encodeInitializer({ name: `${prefix}/minus_one`, elementType: ElementType.int64, dims: [1], values: BigInt64Array.of(-1n) }),
  ];
  const shapeConstants = new Map<string, string>();
  const int64Constant = (values: readonly number[]): string => {
    const key = values.join(',');
    let name = shapeConstants.get(key);
    if (name === undefined) {
      name = `${prefix}/shape_${key.replaceAll('-', 'm').replaceAll(',', '_')}`;
      shapeConstants.set(key, name);
      head.push(encodeInitializer({ name, elementType: ElementType.int64, dims: [values.length], values: BigInt64Array.from(values, BigInt) }));
    }
    return name;
  };
  const filters = new Map<string, string>();
  const filterOf = (weights: WeightSource): string => {
    const key = `${weights.initializer.name}/${weights.storedTransposed ? 'NK' : 'KN'}`;
    let name = filters.get(key);
    if (name !== undefined) return name;
    name = `${prefix}/filter/${key}`;
    filters.set(key, name);
    const [rows, cols] = weights.initializer.dims;
    const [n, k] = weights.storedTransposed ? [rows, cols] : [cols, rows];
    let source = weights.initializer.name;
    if (!weights.storedTransposed) {
      head.push(encodeNode({ name: `${name}/transpose`, opType: 'Transpose', inputs: [source], outputs: [`${name}/nk`], intAttributes: { perm: [1, 0] } }));
      source = `${name}/nk`;
    }
    head.push(encodeNode({ name: `${name}/reshape`, opType: 'Reshape', inputs: [source, int64Constant([n, k, 1, 1])], outputs: [name] }));
    return name;
  };
  // What depends on the input alone is built once per input (q, k and v read the same one).
  const perInput = new Map<string, { nchw: string; leadingShape: string; outputShapes: Map<number, string> }>();
  const inputNodes = (input: string, k: number, body: Uint8Array[]) => {
    let built = perInput.get(input);
    if (built !== undefined) return built;
    const name = `${prefix}/input/${input}`;
    built = { nchw: `${name}/nchw`, leadingShape: `${name}/leading_shape`, outputShapes: new Map() };
    perInput.set(input, built);
    body.push(
      encodeNode({ name: `${name}/rows`, opType: 'Reshape', inputs: [input, int64Constant([1, -1, 1, k])], outputs: [`${name}/nhwc`] }),
      encodeNode({ name: `${name}/to_nchw`, opType: 'Transpose', inputs: [`${name}/nhwc`], outputs: [built.nchw], intAttributes: { perm: [0, 3, 1, 2] } }),
      encodeNode({ name: `${name}/shape`, opType: 'Shape', inputs: [input], outputs: [`${name}/shape`] }),
      encodeNode({ name: `${name}/leading`, opType: 'Slice', inputs: [`${name}/shape`, `${prefix}/zero`, `${prefix}/minus_one`], outputs: [built.leadingShape] }),
    );
    return built;
  };
  const outputShape = (input: string, n: number, body: Uint8Array[]): string => {
    const built = perInput.get(input)!;
    let name = built.outputShapes.get(n);
    if (name === undefined) {
      name = `${prefix}/input/${input}/output_shape_${n}`;
      built.outputShapes.set(n, name);
      body.push(encodeNode({ name, opType: 'Concat', inputs: [built.leadingShape, int64Constant([n])], outputs: [name], intAttributes: { axis: 0 } }));
    }
    return name;
  };

  const body: Uint8Array[] = [];
  const tail: Uint8Array[] = [];
  const nodeByField = new Map(nodes.map((node) => [node.field, node]));
  for (const field of graphFields) {
    const node = nodeByField.get(field);
    const product = node && products.get(node);
    if (node && product) {
      const [input] = node.inputs;
      const [k, n] = [rowsOf(product.weights), columns(product.weights)];
      const output = product.bias ? product.bias.add.outputs[0] : node.outputs[0];
      const name = `${prefix}/conv/${node.outputs[0]}`;
      const { nchw } = inputNodes(input, k, body);
      const shape = outputShape(input, n, body);
      body.push(
        encodeNode({ name, opType: 'Conv', inputs: [nchw, filterOf(product.weights), ...(product.bias ? [product.bias.name] : [])], outputs: [`${name}/nchw`] }),
        encodeNode({ name: `${name}/to_nhwc`, opType: 'Transpose', inputs: [`${name}/nchw`], outputs: [`${name}/nhwc`], intAttributes: { perm: [0, 2, 3, 1] } }),
        encodeNode({ name: `${name}/unflatten`, opType: 'Reshape', inputs: [`${name}/nhwc`, shape], outputs: [output] }),
      );
    } else if (node && fusedAdds.has(node)) {
      continue;
    } else if (field.number === GraphField.valueInfo && droppedTensors.has(readValueInfo(model, field).name)) {
      continue;
    } else if (field.number === GraphField.node) {
      body.push(model.subarray(field.start, field.end));
    } else {
      // Initializers, inputs, outputs and the rest keep their places after the nodes; only node order matters.
      tail.push(model.subarray(field.start, field.end));
    }
  }
  return {
    rewritten: true,
    model: replaceGraph(parsed, [...head, ...body, ...tail]),
    convolutions: products.size,
    biases: fusedAdds.size,
  };
}

/** The fp32 matrix initializer behind a product's second input, through Identity (shared weights) and a 2-D Transpose (tied embeddings). */
function weightSource(name: string, producers: ReadonlyMap<string, OnnxNode>, initializers: ReadonlyMap<string, OnnxInitializer>): WeightSource | undefined {
  let transposed = false;
  let current = name;
  for (let step = 0; step < 4; step++) {
    const initializer = initializers.get(current);
    if (initializer) {
      const isMatrix = initializer.dims.length === 2 && initializer.dims.every((size) => size > 0);
      return initializer.elementType === ElementType.float && isMatrix ? { initializer, storedTransposed: transposed } : undefined;
    }
    const producer = producers.get(current);
    if (!producer || !isDefaultDomain(producer)) return undefined;
    if (producer.opType === 'Transpose') {
      const perm = producer.intAttributes.get('perm');
      if (perm !== undefined && !(perm[0] === 1 && perm[1] === 0)) return undefined;
      transposed = !transposed;
    } else if (producer.opType !== 'Identity') {
      return undefined;
    }
    current = producer.inputs[0];
  }
  return undefined;
}

/** The `Add` of an fp32 `[N]` bias that is the product's only reader, which the convolution can take in. */
function biasAdd(
  product: OnnxNode,
  n: number,
  consumers: ReadonlyMap<string, readonly OnnxNode[]>,
  graphOutputs: ReadonlySet<string>,
  initializers: ReadonlyMap<string, OnnxInitializer>,
): { add: OnnxNode; name: string } | undefined {
  const output = product.outputs[0];
  const readers = consumers.get(output) ?? [];
  if (readers.length !== 1 || graphOutputs.has(output)) return undefined;
  const [add] = readers;
  if (add.opType !== 'Add' || !isDefaultDomain(add) || add.inputs.length !== 2) return undefined;
  const other = add.inputs[0] === output ? add.inputs[1] : add.inputs[0];
  const bias = initializers.get(other);
  if (other === output || !bias || bias.elementType !== ElementType.float || bias.dims.length !== 1 || bias.dims[0] !== n) return undefined;
  return { add, name: other };
}

function rowsOf(weights: WeightSource): number {
  return weights.initializer.dims[weights.storedTransposed ? 1 : 0];
}

function columns(weights: WeightSource): number {
  return weights.initializer.dims[weights.storedTransposed ? 0 : 1];
}

function uniquePrefix(usedNames: ReadonlySet<string>): string {
  let prefix = 'fillmask_pointwise';
  while ([...usedNames].some((name) => name.startsWith(prefix))) prefix += '_';
  return prefix;
}
