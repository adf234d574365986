import { rangeOfSize, type ExternalDataReader, type SizedExternalDataRange } from './external-data.js';
import { ElementType, GraphField } from './onnx-fields.js';
import {
  encodeExternalInitializer,
  encodeInitializer,
  initializerName,
  rawInitializerParts,
  readInitializers,
  type OnnxInitializer,
} from './onnx-initializer.js';
import { computedFromMaskRows } from './gather-mask-rows.js';
import { readOnnxModel, replaceGraph } from './onnx-model.js';
import { encodeNode, isDefaultDomain, linkNodes, type OnnxNode } from './onnx-node.js';
import { readValueInfo } from './onnx-value-info.js';
import { transposeInto } from './transpose-matrix.js';
import type { WireField } from './protobuf-wire.js';

export type PointwiseConvolutionRewrite =
  | {
      readonly rewritten: true;
      readonly model: Uint8Array;
      /** How many products became convolutions. */
      readonly convolutions: number;
      /** How many of those took their bias Add in. */
      readonly biases: number;
    }
  | {
      readonly rewritten: false;
      readonly reason: string;
      /** True when the graph has no product to convert in the scope (an int8 graph, say), rather than one it could not convert. */
      readonly noProducts?: true;
    };

/**
 * Which products to rewrite: those computed from the rows `gatherMaskRows` gathers (a handful of rows
 * in any call), or every one (the encoder's too, whose rows are every token of a batch).
 */
export type PointwiseConvolutionScope = 'mask-rows' | 'everywhere';

export interface PointwiseConvolutionOptions {
  /**
   * Reads weights the graph keeps in external data (`readModelWithWeightsByReference`'s references
   * into the model file), for the `[K, N]` matrices the rewrite transposes; stored `[N, K]` ones
   * (tied embeddings) are not read, their filters name the same bytes. Give it only when the runtime
   * will find the external data of the rewritten graph. Without it, products by weights in external
   * data stay MatMuls.
   */
  readonly readExternalData?: ExternalDataReader;
}

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** A product's weights: an fp32 matrix initializer, used as it is (`[K, N]`) or through a Transpose (stored `[N, K]`, as tied embeddings are). */
interface WeightSource {
  readonly initializer: OnnxInitializer;
  /** Where its values lie when the graph keeps them in external data. */
  readonly external?: SizedExternalDataRange;
  readonly storedTransposed: boolean;
  /** The Identity and Transpose nodes between the initializer and the product. */
  readonly path: readonly OnnxNode[];
}

/**
 * Rewrites every product of activations by a constant fp32 weight matrix (`MatMul(x, W)`, with the
 * bias `Add` after it when there is one) into a 1×1 convolution over the flattened rows:
 * `x [..., K]` → `[1, rows, 1, K]` → NCHW → `Conv` with `W` as `[N, K, 1, 1]` → NHWC → `[..., N]`.
 *
 * Why: onnxruntime's CPU provider runs such a convolution with its blocked NCHWc kernels (graph
 * optimisation level 'all' turns the two transposes into the layout reorders of those kernels). On
 * the few rows of one sentence they keep the cores busier than the MatMul kernel, which waits on
 * the weights; on the rows of a batch their layout reorders cost more than they save (the
 * measurements are in benchmarks/convolutions/results.md and docs/performance.md). Hence the scopes:
 * the onnx backend converts the mask rows' products by default, and every one when asked. The graph
 * then rejects zero rows (a Conv of an empty image): run it with at least one mask position.
 *
 * Each output is the same sum of the same products, added in another order: values move by float32
 * rounding only. The filters are written here, as initializers: a `[K, N]` matrix transposed, tied
 * embeddings (`[N, K]` already) copied with the filter's dims. Weights the graph keeps in external
 * data stay there when they need no transposing: the filter names the same bytes with its own dims,
 * so the runtime reads them from the file and JS never holds them; `[K, N]` ones are read through
 * `options.readExternalData` and transposed into the graph. A matrix several products share
 * (ALBERT's layers) gets one filter, and the matrix (with the Identity or Transpose nodes on the
 * way) leaves the graph, so the model holds each weight once: the embedding lookup of tied
 * embeddings reads the filter's rows instead (`Gather` then `Squeeze` of the two unit axes). A
 * matrix something else reads stays a MatMul weight, as do products of two computed tensors
 * (attention), weights of other types or stored other than as raw little-endian data, and weights in
 * external data when there is no reader.
 */
export function productsAsPointwiseConvolutions(
  model: Uint8Array,
  scope: PointwiseConvolutionScope = 'everywhere',
  options: PointwiseConvolutionOptions = {},
): PointwiseConvolutionRewrite {
  if (!littleEndian) return { rewritten: false, reason: 'this machine is big-endian, and ONNX raw data little-endian' };
  const parsed = readOnnxModel(model);
  if (!parsed) return { rewritten: false, reason: 'the model has no graph' };
  const { opset, graphFields, nodes } = parsed;
  // Slice with its bounds as inputs arrived in opset 10.
  if (opset !== undefined && opset < 10) return { rewritten: false, reason: `opset ${opset} is older than 10` };
  const initializers = readInitializers(model, graphFields);
  const { producers, consumers } = linkNodes(nodes);
  const graph: WeightGraph = {
    initializers,
    producers,
    consumers,
    graphOutputs: new Set(
      graphFields.filter((field) => field.number === GraphField.output).map((field) => readValueInfo(model, field).name),
    ),
  };
  const usedNames = new Set([...nodes.flatMap((node) => [...node.inputs, ...node.outputs]), ...initializers.keys()]);
  const prefix = uniquePrefix(usedNames);

  const products = findProducts(nodes, scope, graph, options.readExternalData !== undefined);
  if (products.size === 0) return noProducts(initializers, scope, options.readExternalData !== undefined);
  // Negative Squeeze axes arrived in opset 11.
  const unread = leaveOutMatricesReadElsewhere(products, graph, opset === undefined || opset >= 11);
  if (products.size === 0)
    return { rewritten: false, reason: 'every fp32 weight matrix is also read by ops other than products and row lookups' };

  const fusedAdds = new Set([...products.values()].flatMap(({ bias }) => (bias ? [bias.add] : [])));
  const dropped = droppedParts(products, unread, fusedAdds);
  const added = new PointwiseNodes(
    prefix,
    opset,
    filterBytes(
      [...products.values()].map(({ weights }) => weights),
      options.readExternalData,
    ),
  );
  const graphParts = rewriteFields(model, graphFields, nodes, { products, lookups: unread.lookups, dropped, added });
  return {
    rewritten: true,
    model: replaceGraph(parsed, [...graphParts, ...added.initializers]),
    convolutions: products.size,
    biases: fusedAdds.size,
  };
}

/** What a product's weights are found through. */
interface WeightGraph {
  readonly initializers: ReadonlyMap<string, OnnxInitializer>;
  readonly producers: ReadonlyMap<string, OnnxNode>;
  readonly consumers: ReadonlyMap<string, readonly OnnxNode[]>;
  readonly graphOutputs: ReadonlySet<string>;
}

/** A product to convert: its weights, and the bias `Add` the convolution takes in, if any. */
interface Product {
  readonly weights: WeightSource;
  readonly bias?: { readonly add: OnnxNode; readonly name: string };
}

/** The products of activations by an fp32 weight matrix, in the scope. */
function findProducts(
  nodes: readonly OnnxNode[],
  scope: PointwiseConvolutionScope,
  graph: WeightGraph,
  canReadExternal: boolean,
): Map<OnnxNode, Product> {
  const products = new Map<OnnxNode, Product>();
  const fromMaskRows = computedFromMaskRows(nodes);
  for (const node of nodes) {
    if (node.opType !== 'MatMul' || !isDefaultDomain(node)) continue;
    if (scope === 'mask-rows' && !fromMaskRows.has(node.inputs[0])) continue;
    const weights = weightSource(node.inputs[1], graph.producers, graph.initializers, canReadExternal);
    if (!weights || graph.initializers.has(node.inputs[0])) continue;
    products.set(node, { weights, bias: biasAdd(node, columns(weights), graph.consumers, graph.graphOutputs, graph.initializers) });
  }
  return products;
}

/** Why no product was found: weights out of reach in external data, or no product in the scope at all. */
function noProducts(
  initializers: ReadonlyMap<string, OnnxInitializer>,
  scope: PointwiseConvolutionScope,
  canReadExternal: boolean,
): PointwiseConvolutionRewrite {
  const inFile =
    !canReadExternal &&
    [...initializers.values()].some(
      (initializer) => initializer.external && initializer.elementType === ElementType.float && initializer.dims.length === 2,
    );
  return inFile
    ? { rewritten: false, reason: 'its fp32 weight matrices lie in external data, and no reader of it was given' }
    : {
        rewritten: false,
        reason: `no product of activations by an fp32 weight matrix${scope === 'mask-rows' ? ' at the mask rows' : ''}`,
        noProducts: true,
      };
}

/**
 * Takes out of `products` those whose matrix something else reads too: it stays a MatMul weight, as a
 * filter it would be held twice. Leaving a product out can make another matrix it shares read
 * elsewhere, so this repeats until none is left out. Returns what the filters then replace.
 */
function leaveOutMatricesReadElsewhere(
  products: Map<OnnxNode, Product>,
  graph: WeightGraph,
  lookupsAllowed: boolean,
): ReturnType<typeof onlyReadByProducts> {
  let unread = onlyReadByProducts(products, graph.consumers, graph.graphOutputs, lookupsAllowed);
  for (;;) {
    const readElsewhere = [...products].filter(([, { weights }]) => !unread.initializers.has(weights.initializer.name));
    if (readElsewhere.length === 0) return unread;
    for (const [product] of readElsewhere) products.delete(product);
    unread = onlyReadByProducts(products, graph.consumers, graph.graphOutputs, lookupsAllowed);
  }
}

/** What leaves the graph: fused Adds, the matrices the filters replace and the nodes on their way, and stale recorded shapes. */
interface DroppedParts {
  readonly nodes: ReadonlySet<OnnxNode>;
  readonly initializers: ReadonlySet<string>;
  readonly tensors: ReadonlySet<string>;
}

function isDropped(model: Uint8Array, field: WireField, node: OnnxNode | undefined, dropped: DroppedParts): boolean {
  if (node) return dropped.nodes.has(node);
  // Older exports list initializers among the inputs too.
  if (field.number === GraphField.initializer || field.number === GraphField.input)
    return dropped.initializers.has(fieldName(model, field));
  return field.number === GraphField.valueInfo && dropped.tensors.has(readValueInfo(model, field).name);
}

/** What leaves the graph once the products are convolutions. */
function droppedParts(
  products: ReadonlyMap<OnnxNode, Product>,
  unread: ReturnType<typeof onlyReadByProducts>,
  fusedAdds: ReadonlySet<OnnxNode>,
): DroppedParts {
  return {
    nodes: new Set([...fusedAdds, ...unread.nodes]),
    initializers: unread.initializers,
    // Recorded shapes of tensors that no longer exist: fused products' outputs, dropped weights and the nodes on their way.
    tensors: new Set([
      ...[...products].flatMap(([product, { bias }]) => (bias ? [product.outputs[0]] : [])),
      ...[...unread.nodes].flatMap((node) => node.outputs),
      ...unread.initializers,
    ]),
  };
}

/**
 * The graph's fields with the products as convolutions and the row lookups reading the filters, the
 * dropped parts left out: the nodes first, in their order, then the other fields.
 */
function rewriteFields(
  model: Uint8Array,
  graphFields: readonly WireField[],
  nodes: readonly OnnxNode[],
  rewrite: {
    readonly products: ReadonlyMap<OnnxNode, Product>;
    readonly lookups: ReadonlyMap<OnnxNode, WeightSource>;
    readonly dropped: DroppedParts;
    readonly added: PointwiseNodes;
  },
): Uint8Array[] {
  const { products, lookups, dropped, added } = rewrite;
  const body: Uint8Array[] = [];
  const tail: Uint8Array[] = [];
  const nodeByField = new Map(nodes.map((node) => [node.field, node]));
  for (const field of graphFields) {
    const node = nodeByField.get(field);
    if (isDropped(model, field, node, dropped)) continue;
    const product = node && products.get(node);
    const lookup = node && lookups.get(node);
    if (node && product) {
      body.push(...added.convolution(node, product));
    } else if (node && lookup) {
      body.push(...added.rowLookup(node, lookup));
    } else if (field.number === GraphField.node) {
      body.push(model.subarray(field.start, field.end));
    } else {
      // Initializers, inputs, outputs and the rest keep their places after the nodes; only node order matters.
      tail.push(model.subarray(field.start, field.end));
    }
  }
  return [...body, ...tail];
}

/**
 * The nodes and initializers the rewrite adds. Each is built once, the first time it is needed: a
 * filter per distinct matrix, a shape constant per value, and the reshaping of an input per input
 * (q, k and v read the same one).
 */
class PointwiseNodes {
  /** The added initializers (filters and shape constants), in the order they were first needed. */
  readonly initializers: Uint8Array[] = [];
  private readonly shapeConstants = new Map<string, string>();
  private readonly filters = new Map<string, string>();
  private readonly perInput = new Map<string, { nchw: string; leadingShape: string; outputShapes: Map<number, string> }>();

  constructor(
    private readonly prefix: string,
    private readonly opset: number | undefined,
    private readonly filterValues: ReadonlyMap<string, Uint8Array | SizedExternalDataRange>,
  ) {}

  /** The product as a 1×1 convolution over the rows of its input, preceded by the nodes its input needs first. */
  convolution(node: OnnxNode, product: Product): Uint8Array[] {
    const [input] = node.inputs;
    const [k, n] = [rowsOf(product.weights), columns(product.weights)];
    const output = product.bias ? product.bias.add.outputs[0] : node.outputs[0];
    const name = `${this.prefix}/conv/${node.outputs[0]}`;
    const parts: Uint8Array[] = [];
    const { nchw } = this.inputNodes(input, k, parts);
    const shape = this.outputShape(input, n, parts);
    parts.push(
      encodeNode({
        name,
        opType: 'Conv',
        inputs: [nchw, this.filter(product.weights), ...(product.bias ? [product.bias.name] : [])],
        outputs: [`${name}/nchw`],
      }),
      encodeNode({
        name: `${name}/to_nhwc`,
        opType: 'Transpose',
        inputs: [`${name}/nchw`],
        outputs: [`${name}/nhwc`],
        intAttributes: { perm: [0, 2, 3, 1] },
      }),
      encodeNode({ name: `${name}/unflatten`, opType: 'Reshape', inputs: [`${name}/nhwc`, shape], outputs: [output] }),
    );
    return parts;
  }

  /** A row lookup of a matrix the filters replace, reading the filter's rows instead (`Gather`, then `Squeeze` of the two unit axes). */
  rowLookup(node: OnnxNode, weights: WeightSource): Uint8Array[] {
    const name = `${this.prefix}/lookup/${node.outputs[0]}`;
    const axes = [-2, -1];
    return [
      encodeNode({
        name,
        opType: 'Gather',
        inputs: [this.filter(weights), node.inputs[1]],
        outputs: [`${name}/rows`],
        intAttributes: { axis: 0 },
      }),
      this.opset !== undefined && this.opset < 13
        ? encodeNode({
            name: `${name}/squeeze`,
            opType: 'Squeeze',
            inputs: [`${name}/rows`],
            outputs: [node.outputs[0]],
            intAttributes: { axes },
          })
        : encodeNode({
            name: `${name}/squeeze`,
            opType: 'Squeeze',
            inputs: [`${name}/rows`, this.int64Constant(axes)],
            outputs: [node.outputs[0]],
          }),
    ];
  }

  private int64Constant(values: readonly number[]): string {
    const key = values.join(',');
    let name = this.shapeConstants.get(key);
    if (name === undefined) {
      name = `${this.prefix}/shape_${key.replaceAll('-', 'm').replaceAll(',', '_')}`;
      this.shapeConstants.set(key, name);
      this.initializers.push(
        encodeInitializer({ name, elementType: ElementType.int64, dims: [values.length], values: BigInt64Array.from(values, BigInt) }),
      );
    }
    return name;
  }

  /** The `[N, K, 1, 1]` filter of a matrix, one per matrix however many products share it. */
  private filter(weights: WeightSource): string {
    const key = filterKey(weights);
    let name = this.filters.get(key);
    if (name !== undefined) return name;
    name = `${this.prefix}/filter/${key}`;
    this.filters.set(key, name);
    const values = this.filterValues.get(key)!;
    const dims = [columns(weights), rowsOf(weights), 1, 1];
    this.initializers.push(
      ...(values instanceof Uint8Array
        ? rawInitializerParts({ name, elementType: ElementType.float, dims, raw: values })
        : [encodeExternalInitializer({ name, elementType: ElementType.float, dims, range: values })]),
    );
    return name;
  }

  /** The input's rows as an NCHW image `[1, K, rows, 1]`, and its leading dims, added to `parts` the first time. */
  private inputNodes(input: string, k: number, parts: Uint8Array[]): { nchw: string; leadingShape: string } {
    let built = this.perInput.get(input);
    if (built !== undefined) return built;
    const name = `${this.prefix}/input/${input}`;
    built = { nchw: `${name}/nchw`, leadingShape: `${name}/leading_shape`, outputShapes: new Map() };
    this.perInput.set(input, built);
    parts.push(
      encodeNode({
        name: `${name}/rows`,
        opType: 'Reshape',
        inputs: [input, this.int64Constant([1, -1, 1, k])],
        outputs: [`${name}/nhwc`],
      }),
      encodeNode({
        name: `${name}/to_nchw`,
        opType: 'Transpose',
        inputs: [`${name}/nhwc`],
        outputs: [built.nchw],
        intAttributes: { perm: [0, 3, 1, 2] },
      }),
      encodeNode({ name: `${name}/shape`, opType: 'Shape', inputs: [input], outputs: [`${name}/shape`] }),
      encodeNode({
        name: `${name}/leading`,
        opType: 'Slice',
        inputs: [`${name}/shape`, this.int64Constant([0]), this.int64Constant([-1])],
        outputs: [built.leadingShape],
      }),
    );
    return built;
  }

  /** The shape `[...leading dims, N]` of a product's output, added to `parts` the first time. */
  private outputShape(input: string, n: number, parts: Uint8Array[]): string {
    const built = this.perInput.get(input)!;
    let name = built.outputShapes.get(n);
    if (name === undefined) {
      name = `${this.prefix}/input/${input}/output_shape_${n}`;
      built.outputShapes.set(n, name);
      parts.push(
        encodeNode({
          name,
          opType: 'Concat',
          inputs: [built.leadingShape, this.int64Constant([n])],
          outputs: [name],
          intAttributes: { axis: 0 },
        }),
      );
    }
    return name;
  }
}

/**
 * The fp32 matrix initializer behind a product's second input, through Identity (shared weights) and
 * a 2-D Transpose (tied embeddings). In external data, only when there is a reader (`canReadExternal`).
 */
function weightSource(
  name: string,
  producers: ReadonlyMap<string, OnnxNode>,
  initializers: ReadonlyMap<string, OnnxInitializer>,
  canReadExternal: boolean,
): WeightSource | undefined {
  let transposed = false;
  let current = name;
  const path: OnnxNode[] = [];
  for (let step = 0; step < 4; step++) {
    const initializer = initializers.get(current);
    if (initializer) {
      const [rows, cols] = initializer.dims;
      const isMatrix = initializer.dims.length === 2 && rows > 0 && cols > 0;
      if (!isMatrix || initializer.elementType !== ElementType.float) return undefined;
      const byteLength = rows * cols * 4;
      if (!initializer.external)
        return initializer.rawData?.length === byteLength ? { initializer, storedTransposed: transposed, path } : undefined;
      const external = rangeOfSize(initializer.externalData, byteLength);
      // Only with a reader: its caller's runtime finds the external data the rewritten graph names.
      return external && canReadExternal ? { initializer, storedTransposed: transposed, path, external } : undefined;
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
    path.push(producer);
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

function filterKey(weights: WeightSource): string {
  return `${weights.initializer.name}/${weights.storedTransposed ? 'NK' : 'KN'}`;
}

/**
 * Each distinct matrix's values in the filter's `[N, K]` order: stored `[N, K]` ones as they are in
 * the graph, or where they lie in external data; `[K, N]` ones (read through `readExternal` when
 * outside the graph) transposed into one buffer shared by all. One large allocation (mapped on its
 * own, and given back whole) rather than one per matrix, which would leave the allocator's heap
 * fragmented and the process's memory higher for good.
 */
function filterBytes(
  sources: readonly WeightSource[],
  readExternal: ExternalDataReader | undefined,
): Map<string, Uint8Array | SizedExternalDataRange> {
  const distinct = new Map(sources.map((source) => [filterKey(source), source]));
  const toTranspose = [...distinct.values()].filter((source) => !source.storedTransposed);
  const sizes = toTranspose.map((source) => source.external?.length ?? source.initializer.rawData!.length);
  const target = new Uint8Array(sizes.reduce((total, size) => total + size, 0));
  // The graph's raw data may sit at any offset: such a matrix is copied to an aligned buffer to be read as floats.
  let scratch: Uint8Array | undefined;
  const bytes = new Map<string, Uint8Array | SizedExternalDataRange>();
  let offset = 0;
  for (const source of distinct.values()) {
    const { external } = source;
    if (source.storedTransposed) {
      bytes.set(filterKey(source), external ?? source.initializer.rawData!);
      continue;
    }
    // `weightSource` admits a matrix in external data only when there is a reader.
    const raw = external ? readExternal!(external.location, external.offset, external.length) : source.initializer.rawData!;
    const [rows, cols] = source.initializer.dims;
    if (raw.length !== rows * cols * 4)
      throw new Error(`${source.initializer.name}: ${raw.length} bytes of external data read, not ${rows * cols * 4}`);
    let aligned = raw;
    if (raw.byteOffset % 4 !== 0) {
      scratch ??= new Uint8Array(Math.max(...sizes));
      scratch.set(raw);
      aligned = scratch;
    }
    transposeInto(
      new Float32Array(aligned.buffer, aligned.byteOffset, rows * cols),
      new Float32Array(target.buffer, offset, rows * cols),
      rows,
      cols,
    );
    bytes.set(filterKey(source), target.subarray(offset, offset + raw.length));
    offset += raw.length;
  }
  return bytes;
}

/**
 * The weight initializers, and the Identity and Transpose nodes on their way, that nothing but the
 * converted products reads, or else row lookups (`Gather` on axis 0) of an `[N, K]` matrix, which
 * can read the filter instead: the filters replace them.
 */
function onlyReadByProducts(
  products: ReadonlyMap<OnnxNode, { weights: WeightSource }>,
  consumers: ReadonlyMap<string, readonly OnnxNode[]>,
  graphOutputs: ReadonlySet<string>,
  lookupsAllowed: boolean,
): { initializers: Set<string>; nodes: Set<OnnxNode>; lookups: Map<OnnxNode, WeightSource> } {
  const nodes = new Set<OnnxNode>();
  const initializers = new Set<string>();
  const lookups = new Map<OnnxNode, WeightSource>();
  const sources = [...products.values()].map(({ weights }) => weights);
  const pathNodes = new Set(sources.flatMap((source) => source.path));
  // Whether every reader of a tensor is a converted product or a path node whose output is read the same way.
  // A converted product reads the tensor as its weights only: one that also multiplies by it reads it as activations.
  const asWeights = (reader: OnnxNode, tensor: string) =>
    products.has(reader) && reader.inputs[1] === tensor && reader.inputs[0] !== tensor;
  const onlyProducts = (tensor: string): boolean =>
    !graphOutputs.has(tensor) &&
    (consumers.get(tensor) ?? []).every(
      (reader) => asWeights(reader, tensor) || (pathNodes.has(reader) && onlyProducts(reader.outputs[0])),
    );
  const isRowLookup = (reader: OnnxNode, tensor: string) =>
    lookupsAllowed &&
    reader.opType === 'Gather' &&
    isDefaultDomain(reader) &&
    reader.inputs[0] === tensor &&
    reader.inputs[1] !== tensor &&
    (reader.intAttributes.get('axis')?.[0] ?? 0) === 0;
  for (const source of sources) {
    for (const node of source.path) if (onlyProducts(node.outputs[0])) nodes.add(node);
    const name = source.initializer.name;
    const readers = consumers.get(name) ?? [];
    const lookupReaders = source.storedTransposed ? readers.filter((reader) => isRowLookup(reader, name)) : [];
    const othersOnlyProducts = readers.every(
      (reader) => lookupReaders.includes(reader) || asWeights(reader, name) || (pathNodes.has(reader) && onlyProducts(reader.outputs[0])),
    );
    if (graphOutputs.has(name) || !othersOnlyProducts) continue;
    initializers.add(name);
    for (const reader of lookupReaders) lookups.set(reader, source);
  }
  return { initializers, nodes, lookups };
}

/** The name of an initializer or of a graph input. */
function fieldName(model: Uint8Array, field: WireField): string {
  return field.number === GraphField.initializer ? initializerName(model, field) : readValueInfo(model, field).name;
}
