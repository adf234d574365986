import { AttributeField, AttributeType, NodeField } from '../graph/onnx-fields.js';
import { concatBytes, encodeMessageField, encodeStringField, encodeVarint, encodeVarintField, WireType } from '../graph/protobuf-wire.js';

/** `AttributeProto.f` and the FLOAT attribute type, which the graph edits never needed. */
const floatAttributeField = 2;
const floatAttributeType = 1;

/** A node attribute: an int, a list of ints, or a float (`{ float: 1e-12 }`, LayerNormalization's epsilon). */
export type NodeAttribute = number | readonly number[] | { readonly float: number };

export interface GraphNode {
  readonly name: string;
  readonly opType: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attributes?: Readonly<Record<string, NodeAttribute>>;
}

/** A NodeProto of the default domain, as a graph's `node` field; unlike `encodeNode`, it takes float attributes too. */
export function encodeGraphNode(node: GraphNode): Uint8Array {
  const attributes = Object.entries(node.attributes ?? {}).map(([name, value]) =>
    encodeMessageField(NodeField.attribute, [encodeStringField(AttributeField.name, name), ...attributeValue(value)]),
  );
  return encodeMessageField(1, [
    ...node.inputs.map((input) => encodeStringField(NodeField.input, input)),
    ...node.outputs.map((output) => encodeStringField(NodeField.output, output)),
    encodeStringField(NodeField.name, node.name),
    encodeStringField(NodeField.opType, node.opType),
    ...attributes,
  ]);
}

function attributeValue(value: NodeAttribute): Uint8Array[] {
  if (typeof value === 'number')
    return [encodeVarintField(AttributeField.i, value), encodeVarintField(AttributeField.type, AttributeType.int)];
  if ('float' in value) {
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value.float, true);
    return [
      concatBytes([encodeVarint(floatAttributeField * 8 + WireType.Fixed32), bytes]),
      encodeVarintField(AttributeField.type, floatAttributeType),
    ];
  }
  return [...value.map((item) => encodeVarintField(AttributeField.ints, item)), encodeVarintField(AttributeField.type, AttributeType.ints)];
}
