import { AttributeField, AttributeType, NodeField, TensorField } from './onnx-fields.js';
import {
  encodeMessageField,
  encodeStringField,
  encodeVarintField,
  fieldText,
  readFields,
  readInt64,
  repeatedInt64,
  type WireField,
} from './protobuf-wire.js';

/** The parts of a NodeProto the edits read; `field` locates the whole node in the graph. */
export interface OnnxNode {
  readonly field: WireField;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  /** Integer attributes (`i` or `ints`) by name, each as a list. */
  readonly intAttributes: ReadonlyMap<string, readonly number[]>;
  /** The dims of each tensor attribute (a Constant's `value`), by name. */
  readonly tensorAttributeDims: ReadonlyMap<string, readonly number[]>;
}

export function readNode(bytes: Uint8Array, field: WireField): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let opType = '';
  let domain = '';
  const intAttributes = new Map<string, number[]>();
  const tensorAttributeDims = new Map<string, number[]>();
  for (const part of readFields(bytes, field.valueStart, field.valueEnd)) {
    if (part.number === NodeField.input) inputs.push(fieldText(bytes, part));
    else if (part.number === NodeField.output) outputs.push(fieldText(bytes, part));
    else if (part.number === NodeField.opType) opType = fieldText(bytes, part);
    else if (part.number === NodeField.domain) domain = fieldText(bytes, part);
    else if (part.number === NodeField.attribute) readAttribute(bytes, part, intAttributes, tensorAttributeDims);
  }
  return { field, opType, domain, inputs, outputs, intAttributes, tensorAttributeDims };
}

function readAttribute(bytes: Uint8Array, field: WireField, ints: Map<string, number[]>, tensorDims: Map<string, number[]>): void {
  const parts = readFields(bytes, field.valueStart, field.valueEnd);
  const nameField = parts.find((part) => part.number === AttributeField.name);
  if (!nameField) return;
  const name = fieldText(bytes, nameField);
  const single = parts.find((part) => part.number === AttributeField.i);
  const list = parts.filter((part) => part.number === AttributeField.ints);
  const tensor = parts.find((part) => part.number === AttributeField.t);
  if (list.length > 0) ints.set(name, repeatedInt64(bytes, list));
  else if (single) ints.set(name, [readInt64(bytes, single.valueStart).value]);
  if (tensor) {
    const dims = readFields(bytes, tensor.valueStart, tensor.valueEnd).filter((part) => part.number === TensorField.dims);
    tensorDims.set(name, repeatedInt64(bytes, dims));
  }
}

export function isDefaultDomain(node: OnnxNode): boolean {
  return node.domain === '' || node.domain === 'ai.onnx';
}

/** Which node computes each tensor, and which nodes read it (in graph order). */
export function linkNodes(nodes: readonly OnnxNode[]): { producers: Map<string, OnnxNode>; consumers: Map<string, OnnxNode[]> } {
  const producers = new Map<string, OnnxNode>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const node of nodes) {
    for (const output of node.outputs) producers.set(output, node);
    for (const input of node.inputs) {
      const readers = consumers.get(input);
      if (readers) readers.push(node);
      else consumers.set(input, [node]);
    }
  }
  return { producers, consumers };
}

/** A node with integer or integer-list attributes only (all the edits need), of the default domain unless `domain` names another. */
export function encodeNode(node: {
  name: string;
  opType: string;
  inputs: readonly string[];
  outputs: readonly string[];
  intAttributes?: Record<string, number | readonly number[]>;
  domain?: string;
}): Uint8Array {
  const attributes = Object.entries(node.intAttributes ?? {}).map(([name, value]) =>
    encodeMessageField(NodeField.attribute, [
      encodeStringField(AttributeField.name, name),
      ...(typeof value === 'number'
        ? [encodeVarintField(AttributeField.i, value), encodeVarintField(AttributeField.type, AttributeType.int)]
        : [
            ...value.map((item) => encodeVarintField(AttributeField.ints, item)),
            encodeVarintField(AttributeField.type, AttributeType.ints),
          ]),
    ]),
  );
  return encodeMessageField(1, [
    ...node.inputs.map((input) => encodeStringField(NodeField.input, input)),
    ...node.outputs.map((output) => encodeStringField(NodeField.output, output)),
    encodeStringField(NodeField.name, node.name),
    encodeStringField(NodeField.opType, node.opType),
    ...attributes,
    ...(node.domain ? [encodeStringField(NodeField.domain, node.domain)] : []),
  ]);
}

/** The node with the inputs named in `renames` renamed, every other byte kept. */
export function renameNodeInputs(bytes: Uint8Array, node: OnnxNode, renames: ReadonlyMap<string, string>): Uint8Array {
  const parts = readFields(bytes, node.field.valueStart, node.field.valueEnd).map((part) => {
    const renamed = part.number === NodeField.input ? renames.get(fieldText(bytes, part)) : undefined;
    return renamed === undefined ? bytes.subarray(part.start, part.end) : encodeStringField(NodeField.input, renamed);
  });
  return encodeMessageField(node.field.number, parts);
}
