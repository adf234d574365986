import { rangeOfSize, type ExternalDataReader } from './external-data.js';
import { ElementType, GraphField, NodeField } from './onnx-fields.js';
import {
  hasIntegerValues,
  initializerName,
  integerValues,
  integerView,
  rawInitializerParts,
  readInitializers,
  type OnnxInitializer,
} from './onnx-initializer.js';
import { readOnnxModel, replaceGraph } from './onnx-model.js';
import { isDefaultDomain, linkNodes, type OnnxNode } from './onnx-node.js';
import { readValueInfo } from './onnx-value-info.js';
import { encodeMessageField, encodeStringField, readFields } from './protobuf-wire.js';

export type UnsignedWeightsRewrite =
  | { readonly rewritten: true; readonly model: Uint8Array; readonly matrices: number }
  | { readonly rewritten: false; readonly reason: string };

export interface UnsignedWeightsOptions {
  /** Reads int8 weights the graph keeps in external data; without it, such weights stay as they are. */
  readonly readExternalData?: ExternalDataReader;
}

/** Ops that pass their first input's values through unchanged in type (a tied head's Transpose, ALBERT's Identity, an embedding's Gather). */
const sameValueOps: ReadonlySet<string> = new Set(['Transpose', 'Identity', 'Gather', 'Reshape']);

/** The zero point's input index of each op that pairs an int8 value with one. */
const zeroPointIndex: ReadonlyMap<string, { readonly value: number; readonly zeroPoint: number }> = new Map([
  ['MatMulInteger', { value: 1, zeroPoint: 3 }],
  ['DequantizeLinear', { value: 0, zeroPoint: 2 }],
]);

const addedZeroPoint = 'fillmask_unsigned_weights/zero_point_128';

/** The most weight bytes the rewrite puts into a graph. */
const maxInlinedBytes = 1.5 * 2 ** 30;

/**
 * Stores the int8 weight matrices of a graph's `MatMulInteger`s as uint8: each value plus 128, and
 * its zero point plus 128, which leaves every product and every dequantized value the same, exactly.
 *
 * Why: on x64 CPUs without VNNI, onnxruntime's fast u8×s8 kernel saturates, and its exact u8×u8
 * kernel (`session.x64quantprecision`) needs uint8 weights. onnxruntime converts int8 weights itself
 * as the session is created (its `Avx2WeightS8ToU8Transformer`), one element at a time: for
 * a distilroberta-size graph, most of the session's creation (benchmarks/paths). Given uint8 weights,
 * it has nothing to convert and runs the same kernel on the same values.
 *
 * A matrix is converted with everything that reads it: Transposes, Identities, Gathers and Reshapes
 * of it, the `MatMulInteger`s (as their second input) and `DequantizeLinear`s (a tied embedding) that
 * take it, and their zero points, which must be int8 constants read by converted pairs only. A matrix
 * read any other way, or whose zero point is shared with one that is not converted, stays int8, and
 * the runtime converts it as before. A `MatMulInteger` without a weight zero point gets one (128).
 */
export function int8WeightsAsUnsigned(model: Uint8Array, { readExternalData }: UnsignedWeightsOptions = {}): UnsignedWeightsRewrite {
  const parsed = readOnnxModel(model);
  if (!parsed) return { rewritten: false, reason: 'no graph' };
  const { nodes, graphFields } = parsed;
  const initializers = readInitializers(model, graphFields);
  const { consumers } = linkNodes(nodes);
  const declared = new Set(
    graphFields
      .filter((field) => field.number === GraphField.input || field.number === GraphField.output)
      .map((field) => readValueInfo(model, field).name),
  );

  const flows = new Map<string, Flow>();
  for (const initializer of initializers.values()) {
    if (initializer.elementType !== ElementType.int8 || initializer.dims.length !== 2 || declared.has(initializer.name)) continue;
    const count = initializer.dims.reduce((product, size) => product * size, 1);
    const readable = initializer.external
      ? readExternalData !== undefined && rangeOfSize(initializer.externalData, count) !== undefined
      : hasIntegerValues(initializer);
    if (!readable) continue;
    const flow = flowOf(initializer.name, consumers, declared);
    if (flow?.pairs.some(({ node }) => node.opType === 'MatMulInteger')) flows.set(initializer.name, flow);
  }
  // A zero point is converted with the values it pairs with: all of them, or none.
  for (let changed = true; changed; ) {
    changed = false;
    const accepted = new Set([...flows.values()].flatMap((flow) => flow.pairs.map(pairKey)));
    for (const [name, flow] of flows) {
      const sound = flow.pairs.every(({ node, zeroPoint }) => {
        if (zeroPoint === '') return node.opType === 'MatMulInteger';
        const constant = initializers.get(zeroPoint);
        if (constant?.elementType !== ElementType.int8 || !integerValues(constant) || declared.has(zeroPoint)) return false;
        return (consumers.get(zeroPoint) ?? []).every((reader) =>
          reader.inputs.every((input, index) => input !== zeroPoint || accepted.has(pairKey({ node: reader, zeroPointAt: index }))),
        );
      });
      if (!sound) {
        flows.delete(name);
        changed = true;
      }
    }
  }
  if (flows.size === 0) return { rewritten: false, reason: 'no int8 weight matrix is read by MatMulIntegers alone' };
  const inlined = [...flows.keys()].reduce(
    (total, name) => total + (initializers.get(name)?.dims.reduce((count, size) => count * size, 1) ?? 0),
    0,
  );
  // The converted values go into the graph itself, which protobuf caps at 2 GB.
  if (inlined > maxInlinedBytes)
    return {
      rewritten: false,
      reason: `its ${inlined} bytes of int8 weights, stored in the graph as uint8, would take it near protobuf's 2 GB limit`,
    };

  const matrices = new Set(flows.keys());
  const flowing = new Set([...flows.values()].flatMap((flow) => flow.tensors));
  const zeroPoints = new Set([...flows.values()].flatMap((flow) => flow.pairs.map((pair) => pair.zeroPoint).filter((name) => name !== '')));
  const withoutZeroPoint = new Set(
    [...flows.values()].flatMap((flow) => flow.pairs.filter((pair) => pair.zeroPoint === '').map((pair) => pair.node)),
  );
  const nodeByField = new Map(nodes.map((node) => [node.field, node]));
  const graphParts: Uint8Array[] = [];
  for (const field of graphFields) {
    const node = nodeByField.get(field);
    const name = field.number === GraphField.initializer ? initializerName(model, field) : undefined;
    if (node && withoutZeroPoint.has(node)) {
      graphParts.push(withInputs(model, node, [...node.inputs.slice(0, 2), node.inputs[2] ?? '', addedZeroPoint]));
    } else if (field.number === GraphField.valueInfo && flowing.has(readValueInfo(model, field).name)) {
      // Declared int8; the runtime infers the new type.
    } else if (name !== undefined && (matrices.has(name) || zeroPoints.has(name))) {
      const initializer = initializers.get(name) as OnnxInitializer;
      // Zero points are small constants in the graph; matrices may lie in external data.
      graphParts.push(
        ...rawInitializerParts({ ...initializer, elementType: ElementType.uint8, raw: plus128(initializer, readExternalData) }),
      );
    } else {
      graphParts.push(model.subarray(field.start, field.end));
    }
  }
  if (withoutZeroPoint.size > 0)
    graphParts.push(...rawInitializerParts({ name: addedZeroPoint, elementType: ElementType.uint8, dims: [], raw: Uint8Array.of(128) }));
  return { rewritten: true, model: replaceGraph(parsed, graphParts), matrices: matrices.size };
}

/** The tensors carrying a matrix's values, and the ops pairing them with a zero point ('' for none). */
interface Flow {
  readonly tensors: readonly string[];
  readonly pairs: ReadonlyArray<{ readonly node: OnnxNode; readonly zeroPoint: string; readonly zeroPointAt: number }>;
}

function pairKey({ node, zeroPointAt }: { readonly node: OnnxNode; readonly zeroPointAt: number }): string {
  return `${node.field.start}/${zeroPointAt}`;
}

/** Where a matrix's values go, or undefined when something other than the ops above reads them. */
function flowOf(name: string, consumers: ReadonlyMap<string, readonly OnnxNode[]>, declared: ReadonlySet<string>): Flow | undefined {
  const tensors = [name];
  const pairs: Array<Flow['pairs'][number]> = [];
  for (let next = 0; next < tensors.length; next++) {
    const tensor = tensors[next];
    for (const reader of new Set(consumers.get(tensor) ?? [])) {
      if (!isDefaultDomain(reader)) return undefined;
      const indices = reader.inputs.flatMap((input, index) => (input === tensor ? [index] : []));
      const paired = zeroPointIndex.get(reader.opType);
      if (sameValueOps.has(reader.opType) && indices.length === 1 && indices[0] === 0) {
        const output = reader.outputs[0];
        if (output === undefined || declared.has(output)) return undefined;
        tensors.push(output);
      } else if (paired && indices.length === 1 && indices[0] === paired.value) {
        pairs.push({ node: reader, zeroPoint: reader.inputs[paired.zeroPoint] ?? '', zeroPointAt: paired.zeroPoint });
      } else {
        return undefined;
      }
    }
  }
  return { tensors, pairs };
}

/** An int8 tensor's values plus 128, as new uint8 bytes: each byte with its top bit flipped (a reader's bytes may be another's, so they are copied). */
function plus128(initializer: OnnxInitializer, readExternalData: ExternalDataReader | undefined): Uint8Array {
  const count = initializer.dims.reduce((product, size) => product * size, 1);
  const range = initializer.external ? rangeOfSize(initializer.externalData, count) : undefined;
  if (range && readExternalData) return flipTopBits(readExternalData(range.location, range.offset, range.length).slice());
  const values = integerView(initializer);
  if (!values || values.length !== count) throw new Error(`the int8 weights ${initializer.name} do not hold one value per element`);
  if (values instanceof Int8Array) return flipTopBits(new Uint8Array(values.buffer, values.byteOffset, values.byteLength).slice());
  return Uint8Array.from(values, (value) => value + 128);
}

function flipTopBits(bytes: Uint8Array): Uint8Array {
  const aligned = bytes.byteOffset % 4 === 0 ? 0 : 4 - (bytes.byteOffset % 4);
  for (let index = 0; index < Math.min(aligned, bytes.length); index++) bytes[index] ^= 0x80;
  // Four bytes at a time where the buffer allows it.
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset + aligned, Math.max(0, (bytes.length - aligned) >> 2));
  for (let index = 0; index < words.length; index++) words[index] ^= 0x80808080;
  for (let index = aligned + (words.length << 2); index < bytes.length; index++) bytes[index] ^= 0x80;
  return bytes;
}

/** The node with its inputs replaced by `inputs`, written where its first input was; every other byte kept. */
function withInputs(bytes: Uint8Array, node: OnnxNode, inputs: readonly string[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let written = false;
  for (const part of readFields(bytes, node.field.valueStart, node.field.valueEnd)) {
    if (part.number !== NodeField.input) parts.push(bytes.subarray(part.start, part.end));
    else if (!written) {
      parts.push(...inputs.map((input) => encodeStringField(NodeField.input, input)));
      written = true;
    }
  }
  return encodeMessageField(node.field.number, parts);
}
