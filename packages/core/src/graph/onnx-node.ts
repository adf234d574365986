import { AttributeField, AttributeType, NodeField } from './onnx-fields.js';
import { encodeMessageField, encodeStringField, encodeVarintField, fieldText, readFields, type WireField } from './protobuf-wire.js';

/** The parts of a NodeProto the edits read; `field` locates the whole node in the graph. */
export interface OnnxNode {
  readonly field: WireField;
  readonly opType: string;
  readonly domain: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
}

export function readNode(bytes: Uint8Array, field: WireField): OnnxNode {
  const inputs: string[] = [];
  const outputs: string[] = [];
  let opType = '';
  let domain = '';
  for (const part of readFields(bytes, field.valueStart, field.valueEnd)) {
    if (part.number === NodeField.input) inputs.push(fieldText(bytes, part));
    else if (part.number === NodeField.output) outputs.push(fieldText(bytes, part));
    else if (part.number === NodeField.opType) opType = fieldText(bytes, part);
    else if (part.number === NodeField.domain) domain = fieldText(bytes, part);
  }
  return { field, opType, domain, inputs, outputs };
}

/** A node of the default domain with integer attributes only (all the edits need). */
export function encodeNode(node: { name: string; opType: string; inputs: string[]; outputs: string[]; intAttributes?: Record<string, number> }): Uint8Array {
  const attributes = Object.entries(node.intAttributes ?? {}).map(([name, value]) =>
    encodeMessageField(NodeField.attribute, [
      encodeStringField(AttributeField.name, name),
      encodeVarintField(AttributeField.i, value),
      encodeVarintField(AttributeField.type, AttributeType.int),
    ]),
  );
  return encodeMessageField(1, [
    ...node.inputs.map((input) => encodeStringField(NodeField.input, input)),
    ...node.outputs.map((output) => encodeStringField(NodeField.output, output)),
    encodeStringField(NodeField.name, node.name),
    encodeStringField(NodeField.opType, node.opType),
    ...attributes,
  ]);
}

/** The node with its input at `index` renamed, every other byte kept. */
export function renameNodeInput(bytes: Uint8Array, node: OnnxNode, index: number, name: string): Uint8Array {
  let seen = 0;
  const parts = readFields(bytes, node.field.valueStart, node.field.valueEnd).map((part) =>
    part.number === NodeField.input && seen++ === index ? encodeStringField(NodeField.input, name) : bytes.subarray(part.start, part.end),
  );
  return encodeMessageField(node.field.number, parts);
}
