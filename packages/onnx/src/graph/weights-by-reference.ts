import { externalDataFields, tensorLocation } from './external-data.js';
import { ElementType, GraphField, ModelField, TensorField } from './onnx-fields.js';
import { isQuantizedMatrix } from './onnx-initializer.js';
import {
  concatBytes,
  encodeMessageField,
  ProtobufFormatError,
  readFieldHeader,
  readFields,
  readVarint,
  repeatedInt64,
  WireType,
  type WireField,
} from './protobuf-wire.js';

/** Byte ranges of a file, read on demand, so a model's weights need never pass through JS. */
export interface ByteRangeReader {
  /** The file's length in bytes. */
  readonly size: number;
  /** The `length` bytes from `offset`, or fewer at the end of the file. */
  read(offset: number, length: number): Promise<Uint8Array>;
}

export interface WeightsByReferenceOptions {
  /** The file's name as the references give it, relative to the folder the runtime is told to look in. */
  readonly location: string;
  /** Raw data of this many bytes or more is referenced; smaller stays in the graph. Default 1024. */
  readonly minBytes?: number;
  /**
   * Reference int8 and uint8 matrices too (rank 2: a quantized model's weights). The graph edits read
   * only their shapes, except `prepareBatchGraph`, which sums their columns through its
   * `readExternalData`. Integer tensors of other ranks (zero points, shape tables) always stay. Default false.
   */
  readonly integerMatrices?: boolean;
}

export interface WeightsByReference {
  /** The model, its large floating-point weights (and with `integerMatrices`, int8 matrices) replaced by references into the file. */
  readonly model: Uint8Array;
  /** How many initializers now reference the file. */
  readonly referenced: number;
  /** How many initializers the file already kept in external data (another file beside it), left as they were. */
  readonly alreadyExternal: number;
  /** The files those lie in, as the graph names them (`externalDataLocations`). */
  readonly externalDataLocations: readonly string[];
  /** How many bytes of the model's file were read. */
  readonly bytesRead: number;
}

/** Weights that go by reference: floating point (and with `integerMatrices`, int8 weight matrices). Other integer tensors stay, because the graph edits read them (zero points, shape tables). */
const referencedTypes: ReadonlySet<number> = new Set([ElementType.float, ElementType.float16, ElementType.double, ElementType.bfloat16]);

/**
 * Reads an ONNX model with its large floating-point weights left in the file: each such initializer's
 * `raw_data` becomes an ONNX external-data reference (`location`, `offset`, `length`) to where those
 * bytes already sit in the file, so the result is the graph alone (150 KB for distilroberta instead
 * of 330 MB), and only the graph's bytes are read.
 *
 * Why: a graph edited in JS and handed to onnxruntime as bytes is held three times at load: the file
 * as read, the edited copy, and onnxruntime's own tensors. With references, onnxruntime reads the
 * weights from the file itself (told the folder by `session.model_external_initializers_file_folder_path`),
 * and JS holds neither copy. The graph edits work on the result as on the whole model: they read
 * names, shapes and small or integer initializers, which stay in the graph. With `integerMatrices`,
 * int8 weight matrices go by reference too; `prepareBatchGraph` sums their columns, and the
 * convolution rewrite transposes `[K, N]` fp32 matrices, so give both (and `prepareFillMaskGraphs`)
 * a `readExternalData` that reads them from the file. Weights the file already
 * keeps outside (a `model.onnx_data` beside it) keep their references, listed in
 * `externalDataLocations` (`relocateExternalData` renames them, for a folder where those files have
 * other names, as in the Hub cache).
 */
export async function readModelWithWeightsByReference(
  reader: ByteRangeReader,
  options: WeightsByReferenceOptions,
): Promise<WeightsByReference> {
  const minBytes = options.minBytes ?? 1024;
  const file = new WindowedFile(reader);
  let referenced = 0;
  let alreadyExternal = 0;
  const externalLocations = new Set<string>();
  // One field at a time, in file order, never two reads at once: they share the window. (Each
  // message is walked twice, its keys and lengths first, then its copy, so the window steps back.)
  const eachInOrder = async (fields: readonly WireField[], encode: (field: WireField) => Promise<Uint8Array>): Promise<Uint8Array[]> => {
    const parts: Uint8Array[] = [];
    for (const field of fields) parts.push(await encode(field));
    return parts;
  };
  const tensor = async (field: WireField): Promise<Uint8Array> => {
    const parts = await file.fields(field.valueStart, field.valueEnd);
    if (parts.some((part) => part.number === TensorField.externalData || part.number === TensorField.dataLocation)) {
      // Already outside (or marked so): left as the file has it.
      alreadyExternal++;
      const tensorBytes = await file.slice(field.start, field.end);
      const header = readFieldHeader(tensorBytes, 0);
      const location = tensorLocation(tensorBytes, readFields(tensorBytes, header.valueStart, header.valueEnd));
      if (location !== undefined) externalLocations.add(location);
      return tensorBytes;
    }
    const raw = parts.find((part) => part.number === TensorField.rawData && part.wireType === WireType.LengthDelimited);
    const { elementType, rank } = await typeAndRank(parts);
    const referable =
      elementType !== undefined &&
      (referencedTypes.has(elementType) || (options.integerMatrices === true && isQuantizedMatrix(elementType, rank)));
    if (!raw || raw.valueEnd - raw.valueStart < minBytes || !referable) return await file.slice(field.start, field.end);
    referenced++;
    return encodeMessageField(GraphField.initializer, [
      ...(await eachInOrder(
        parts.filter((part) => part !== raw),
        (part) => file.slice(part.start, part.end),
      )),
      ...externalDataFields({ location: options.location, offset: raw.valueStart, length: raw.valueEnd - raw.valueStart }),
    ]);
  };
  // Read in file order, so the window only moves forwards. Dims may be packed into one field or not.
  const typeAndRank = async (parts: readonly WireField[]): Promise<{ elementType: number | undefined; rank: number }> => {
    let elementType: number | undefined;
    let rank = 0;
    for (const part of parts) {
      if (part.number === TensorField.dataType && part.wireType === WireType.Varint)
        elementType = readVarint(await file.slice(part.valueStart, part.valueEnd), 0).value;
      if (part.number !== TensorField.dims) continue;
      const bytes = await file.slice(part.start, part.end);
      rank += repeatedInt64(bytes, [readFieldHeader(bytes, 0)]).length;
    }
    return { elementType, rank };
  };
  const isMessage = (field: WireField, number: number) => field.number === number && field.wireType === WireType.LengthDelimited;
  const graph = async (field: WireField): Promise<Uint8Array> =>
    encodeMessageField(
      ModelField.graph,
      await eachInOrder(await file.fields(field.valueStart, field.valueEnd), (part) =>
        isMessage(part, GraphField.initializer) ? tensor(part) : file.slice(part.start, part.end),
      ),
    );
  const model = concatBytes(
    await eachInOrder(await file.fields(0, reader.size), (field) =>
      isMessage(field, ModelField.graph) ? graph(field) : file.slice(field.start, field.end),
    ),
  );
  return { model, referenced, alreadyExternal, externalDataLocations: [...externalLocations], bytesRead: file.bytesRead };
}

/** A file read forwards through a window, so the many small fields between the weights cost few reads. */
class WindowedFile {
  bytesRead = 0;
  private window: Uint8Array = new Uint8Array(0);
  private windowStart = 0;

  constructor(
    private readonly reader: ByteRangeReader,
    private readonly windowSize = 64 * 1024,
  ) {}

  /** The message's fields in `[start, end)`, from their keys and lengths alone. */
  async fields(start: number, end: number): Promise<WireField[]> {
    const fields: WireField[] = [];
    for (let offset = start; offset < end; ) {
      // A key and a length take at most 20 bytes.
      const head = readFieldHeader(await this.view(offset, Math.min(offset + 20, end)), 0);
      const field = {
        ...head,
        start: offset,
        end: offset + head.end,
        valueStart: offset + head.valueStart,
        valueEnd: offset + head.valueEnd,
      };
      if (field.end > end) throw new ProtobufFormatError(`field ${field.number} at byte ${offset} runs past its message`);
      fields.push(field);
      offset = field.end;
    }
    return fields;
  }

  /** A copy of `[start, end)`, so the window can move on. */
  async slice(start: number, end: number): Promise<Uint8Array> {
    const view = await this.view(start, end);
    if (view.length < this.window.length) return view.slice();
    // A field as long as the window (a large integer tensor read for itself): hand over the buffer.
    this.window = new Uint8Array(0);
    return view;
  }

  private async view(start: number, end: number): Promise<Uint8Array> {
    if (start < this.windowStart || end > this.windowStart + this.window.length) {
      this.window = await this.reader.read(start, Math.max(end - start, this.windowSize));
      this.windowStart = start;
      this.bytesRead += this.window.length;
      if (this.window.length < end - start)
        throw new ProtobufFormatError(`the file ends at byte ${start + this.window.length}, inside a field that runs to byte ${end}`);
    }
    return this.window.subarray(start - this.windowStart, end - this.windowStart);
  }
}
