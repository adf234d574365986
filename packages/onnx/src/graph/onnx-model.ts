import { GraphField, ModelField, OpsetField } from './onnx-fields.js';
import { readNode, type OnnxNode } from './onnx-node.js';
import { concatBytes, encodeVarint, fieldText, fieldVarint, readFields, WireType, type WireField } from './protobuf-wire.js';

/** A model's top-level fields and its graph's fields and nodes, located in the model's bytes. */
export interface OnnxModelView {
  readonly bytes: Uint8Array;
  readonly modelFields: readonly WireField[];
  readonly graphField: WireField;
  readonly graphFields: readonly WireField[];
  readonly nodes: readonly OnnxNode[];
  /** The default domain's opset, when the model states it. */
  readonly opset: number | undefined;
}

export function readOnnxModel(bytes: Uint8Array): OnnxModelView | undefined {
  const modelFields = readFields(bytes);
  const graphField = modelFields.find((field) => field.number === ModelField.graph);
  if (!graphField) return undefined;
  const graphFields = readFields(bytes, graphField.valueStart, graphField.valueEnd);
  const nodes = graphFields.filter((field) => field.number === GraphField.node).map((field) => readNode(bytes, field));
  return { bytes, modelFields, graphField, graphFields, nodes, opset: defaultOpsetVersion(bytes, modelFields) };
}

/** The model with its graph replaced by `graphParts` (encoded graph fields), every other field kept. */
export function replaceGraph(model: OnnxModelView, graphParts: readonly Uint8Array[]): Uint8Array {
  const graphLength = graphParts.reduce((total, part) => total + part.length, 0);
  return concatBytes(
    model.modelFields.flatMap((field) =>
      field === model.graphField
        ? [encodeVarint(ModelField.graph * 8 + WireType.LengthDelimited), encodeVarint(graphLength), ...graphParts]
        : [model.bytes.subarray(field.start, field.end)],
    ),
  );
}

function defaultOpsetVersion(bytes: Uint8Array, modelFields: readonly WireField[]): number | undefined {
  for (const field of modelFields) {
    if (field.number !== ModelField.opsetImport) continue;
    const parts = readFields(bytes, field.valueStart, field.valueEnd);
    const domain = parts.find((part) => part.number === OpsetField.domain);
    const version = parts.find((part) => part.number === OpsetField.version);
    if ((!domain || ['', 'ai.onnx'].includes(fieldText(bytes, domain))) && version) return fieldVarint(bytes, version);
  }
  return undefined;
}
