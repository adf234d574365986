import { DataLocation, EntryField, GraphField, TensorField } from './onnx-fields.js';
import { readOnnxModel, replaceGraph } from './onnx-model.js';
import {
  encodeMessageField,
  encodeStringField,
  encodeVarintField,
  fieldText,
  ProtobufFormatError,
  readFields,
  type WireField,
} from './protobuf-wire.js';

/**
 * The files a model keeps its weights in beside the graph (ONNX external data, such as the
 * `model.onnx_data` of a model over 2 GB), as its initializers name them: relative to the graph's
 * folder, each once, in the order they first appear. Only the graph's structure is read. None for
 * bytes that are no ONNX model, which the runtime then rejects with its own words.
 */
export function externalDataLocations(model: Uint8Array): string[] {
  let parsed: ReturnType<typeof readOnnxModel>;
  try {
    parsed = readOnnxModel(model);
  } catch (error) {
    if (error instanceof ProtobufFormatError) return [];
    throw error;
  }
  const locations = new Set<string>();
  for (const field of parsed?.graphFields ?? []) {
    if (field.number !== GraphField.initializer) continue;
    const location = tensorLocation(model, readFields(model, field.valueStart, field.valueEnd));
    if (location !== undefined) locations.add(location);
  }
  return [...locations];
}

/**
 * The model with its external data renamed: each initializer whose `location` is a key of
 * `relocation` names the file by that key's value instead. The same model when none changes.
 */
export function relocateExternalData(model: Uint8Array, relocation: ReadonlyMap<string, string>): Uint8Array {
  const parsed = readOnnxModel(model);
  if (!parsed || [...relocation].every(([from, to]) => from === to)) return model;
  let changed = false;
  const graphParts = parsed.graphFields.map((field) => {
    const original = model.subarray(field.start, field.end);
    if (field.number !== GraphField.initializer) return original;
    const parts = readFields(model, field.valueStart, field.valueEnd);
    const location = tensorLocation(model, parts);
    const renamed = location === undefined ? undefined : relocation.get(location);
    if (renamed === undefined || renamed === location) return original;
    changed = true;
    return encodeMessageField(
      GraphField.initializer,
      parts.map((part) =>
        readEntry(model, part)?.[0] === 'location' ? externalDataEntry('location', renamed) : model.subarray(part.start, part.end),
      ),
    );
  });
  return changed ? replaceGraph(parsed, graphParts) : model;
}

/** Where a tensor's values lie outside the graph: a file, and a byte range of it (`length` undefined: to its end). */
export interface ExternalDataRange {
  readonly location: string;
  readonly offset: number;
  readonly length: number | undefined;
}

/** An `ExternalDataRange` whose length is known. */
export type SizedExternalDataRange = ExternalDataRange & { readonly length: number };

/**
 * The range, its length filled in, when it can hold a tensor of `byteLength` bytes: a position in a
 * file, and no other length. Otherwise undefined: those are not the tensor's values, so not read at all.
 */
export function rangeOfSize(range: ExternalDataRange | undefined, byteLength: number): SizedExternalDataRange | undefined {
  if (!range || !Number.isSafeInteger(range.offset) || range.offset < 0 || (range.length !== undefined && range.length !== byteLength))
    return undefined;
  return { ...range, length: byteLength };
}

/** The fields of a TensorProto that put its values at `range` of an external file. */
export function externalDataFields(range: SizedExternalDataRange): Uint8Array[] {
  return [
    externalDataEntry('location', range.location),
    externalDataEntry('offset', String(range.offset)),
    externalDataEntry('length', String(range.length)),
    encodeVarintField(TensorField.dataLocation, DataLocation.external),
  ];
}

/** A function that reads bytes of a graph's external data (`location` as the graph names it), for edits that need the values of weights left outside. */
export type ExternalDataReader = (location: string, offset: number, length: number) => Uint8Array;

/** The `location` of a tensor's external data (its fields in `bytes`), or undefined when its values are in the graph. */
export function tensorLocation(bytes: Uint8Array, tensorFields: readonly WireField[]): string | undefined {
  return tensorExternalData(bytes, tensorFields)?.location;
}

/** A tensor's external data entries (its fields in `bytes`), or undefined when its values are in the graph. */
export function tensorExternalData(bytes: Uint8Array, tensorFields: readonly WireField[]): ExternalDataRange | undefined {
  const entries = new Map(tensorFields.map((part) => readEntry(bytes, part)).filter((entry) => entry !== undefined));
  const location = entries.get('location');
  if (location === undefined) return undefined;
  const length = entries.get('length');
  return { location, offset: Number(entries.get('offset') ?? 0), length: length === undefined ? undefined : Number(length) };
}

/** One `external_data` entry of a TensorProto. */
export function externalDataEntry(key: string, value: string): Uint8Array {
  return encodeMessageField(TensorField.externalData, [encodeStringField(EntryField.key, key), encodeStringField(EntryField.value, value)]);
}

/** An `external_data` entry of a TensorProto as `[key, value]`; undefined for any other field. */
function readEntry(bytes: Uint8Array, part: WireField): [string, string] | undefined {
  if (part.number !== TensorField.externalData) return undefined;
  const fields = readFields(bytes, part.valueStart, part.valueEnd);
  const text = (number: number) => {
    const field = fields.find((entry) => entry.number === number);
    return field ? fieldText(bytes, field) : '';
  };
  return [text(EntryField.key), text(EntryField.value)];
}
