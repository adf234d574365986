import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { ElementType, GraphField, ModelField, TensorField } from './onnx-fields.js';
import { readInitializers } from './onnx-initializer.js';
import { readOnnxModel } from './onnx-model.js';
import {
  encodeMessageField,
  encodeStringField,
  encodeVarint,
  encodeVarintField,
  ProtobufFormatError,
  readFields,
} from './protobuf-wire.js';
import { prepareBatchGraph, prepareFillMaskGraphs } from './prepare-fill-mask-graphs.js';
import { readModelWithWeightsByReference, type ByteRangeReader } from './weights-by-reference.js';

/** Byte-for-byte equality, without a deep comparison of every element (megabytes here). */
function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;
}

/** A reader over bytes in memory that records each read. */
function memoryReader(bytes: Uint8Array): ByteRangeReader & { reads: Array<{ offset: number; length: number }> } {
  const reads: Array<{ offset: number; length: number }> = [];
  return {
    size: bytes.length,
    reads,
    async read(offset, length) {
      reads.push({ offset, length });
      return bytes.slice(offset, Math.min(offset + length, bytes.length));
    },
  };
}

/** The external-data entries of each initializer that has them. */
function references(model: Uint8Array): Map<string, Record<string, string>> {
  const parsed = readOnnxModel(model)!;
  const found = new Map<string, Record<string, string>>();
  const text = new TextDecoder();
  for (const field of parsed.graphFields) {
    if (field.number !== GraphField.initializer) continue;
    const parts = readFields(model, field.valueStart, field.valueEnd);
    const name = text.decode(
      model.subarray(parts.find((part) => part.number === 8)!.valueStart, parts.find((part) => part.number === 8)!.valueEnd),
    );
    const entries = parts
      .filter((part) => part.number === 13)
      .map((part) =>
        readFields(model, part.valueStart, part.valueEnd).map((entry) => text.decode(model.subarray(entry.valueStart, entry.valueEnd))),
      );
    if (entries.length > 0) found.set(name, Object.fromEntries(entries.map(([key, value]) => [key, value])));
  }
  return found;
}

async function logits(model: Uint8Array, folder: string, positionsInput?: string): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(model, {
    extra: { session: { model_external_initializers_file_folder_path: folder } },
  });
  try {
    const ids = [101, 1996, 103, 2003, 102];
    const dims = [1, ids.length];
    const feeds: Record<string, ort.Tensor> = {
      input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, BigInt), dims),
      attention_mask: new ort.Tensor(
        'int64',
        BigInt64Array.from(ids, () => 1n),
        dims,
      ),
      token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
      ...(positionsInput && { [positionsInput]: new ort.Tensor('int64', BigInt64Array.of(2n), [1]) }),
    };
    const output = await session.run(Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]])));
    return output[session.outputNames[0]].data as Float32Array;
  } finally {
    await session.release();
  }
}

describe('readModelWithWeightsByReference', () => {
  for (const model of fixtureModels) {
    for (const file of ['model.onnx', 'model_quantized.onnx']) {
      it(`${model}/${file}: references the large float weights where they lie in the file, keeps the rest, and runs to the same logits`, async () => {
        const path = join(fixtureModelPath(model), 'onnx', file);
        const original = new Uint8Array(readFileSync(path));
        const reader = memoryReader(original);
        const result = await readModelWithWeightsByReference(reader, { location: file });

        const before = readInitializers(original, readOnnxModel(original)!.graphFields);
        const after = readInitializers(result.model, readOnnxModel(result.model)!.graphFields);
        const referenced = references(result.model);
        expect([...after.keys()]).toEqual([...before.keys()]);
        expect(referenced.size).toBe(result.referenced);
        expect(result.referenced).toBeGreaterThan(0);
        for (const [name, initializer] of before) {
          const kept = after.get(name)!;
          expect(kept.dims, name).toEqual(initializer.dims);
          expect(kept.elementType, name).toBe(initializer.elementType);
          const entries = referenced.get(name);
          const isFloat = initializer.elementType === ElementType.float;
          if (entries === undefined) {
            // Integer weights (read by the graph edits) and small tensors stay in the graph, byte for byte.
            expect(!isFloat || (initializer.rawData?.length ?? 0) < 1024, name).toBe(true);
            expect(kept.rawData === initializer.rawData || sameBytes(kept.rawData, initializer.rawData), name).toBe(true);
            continue;
          }
          expect(isFloat && initializer.rawData!.length >= 1024, name).toBe(true);
          expect(kept.external).toBe(true);
          expect(kept.rawData).toBeUndefined();
          expect(entries.location).toBe(file);
          const offset = Number(entries.offset);
          const length = Number(entries.length);
          expect(sameBytes(original.subarray(offset, offset + length), initializer.rawData), name).toBe(true);
        }
        // The nodes are the same bytes.
        const nodes = (bytes: Uint8Array) =>
          Buffer.concat(readOnnxModel(bytes)!.nodes.map((node) => bytes.subarray(node.field.start, node.field.end)));
        expect(sameBytes(nodes(result.model), nodes(original))).toBe(true);
        // The referenced weights were never read.
        const referencedBytes = [...referenced.values()].reduce((total, entries) => total + Number(entries.length), 0);
        // Each reference costs fewer than 200 bytes of entries in place of its data.
        expect(result.model.length).toBeLessThan(original.length - referencedBytes + 200 * result.referenced);
        expect(result.bytesRead).toBe(
          reader.reads.reduce((total, read) => total + Math.min(read.length, original.length - read.offset), 0),
        );

        expect(await logits(result.model, dirname(path))).toEqual(await logits(original, dirname(path)));
      });
    }
  }

  it('reads the graph a window at a time, skipping the weights, so most of a large file is never read', async () => {
    // Over 90% of the file is float weights: beyond them, at most two 64 KiB windows per weight (the fields, then the copy).
    const path = join(fixtureModelPath('tiny-roberta'), 'onnx', 'model.onnx');
    const original = new Uint8Array(readFileSync(path));
    const reader = memoryReader(original);
    const result = await readModelWithWeightsByReference(reader, { location: 'model.onnx' });
    const referencedBytes = [...references(result.model).values()].reduce((total, entries) => total + Number(entries.length), 0);
    expect(referencedBytes).toBeGreaterThan(original.length * 0.9);
    expect(result.bytesRead).toBeLessThan(original.length - referencedBytes + 2 * 64 * 1024 * (result.referenced + 2));
  });

  it('leaves tensors below minBytes in the graph, and a model already by reference as it is', async () => {
    const path = join(fixtureModelPath('tiny-bert-uncased'), 'onnx', 'model.onnx');
    const original = new Uint8Array(readFileSync(path));
    const none = await readModelWithWeightsByReference(memoryReader(original), { location: 'model.onnx', minBytes: original.length });
    expect(none.referenced).toBe(0);
    expect(sameBytes(none.model, original)).toBe(true);
    const once = await readModelWithWeightsByReference(memoryReader(original), { location: 'model.onnx' });
    const twice = await readModelWithWeightsByReference(memoryReader(once.model), { location: 'other.onnx' });
    expect(twice.referenced).toBe(0);
    expect(twice.alreadyExternal).toBe(once.referenced);
    expect(twice.externalDataLocations).toEqual(['model.onnx']);
    expect(once.externalDataLocations).toEqual([]);
    expect(sameBytes(twice.model, once.model)).toBe(true);
  });

  it('rejects a file cut short with a ProtobufFormatError', async () => {
    const path = join(fixtureModelPath('tiny-bert-uncased'), 'onnx', 'model.onnx');
    const original = new Uint8Array(readFileSync(path));
    const cut = original.subarray(0, original.length - 10);
    await expect(readModelWithWeightsByReference(memoryReader(cut), { location: 'model.onnx' })).rejects.toThrow(ProtobufFormatError);
  });

  for (const model of fixtureModels) {
    it(`${model}/model_quantized.onnx with integerMatrices: the int8 weight matrices go by reference too, the graph is prepared as from the whole file, and runs to the same logits`, async () => {
      const path = join(fixtureModelPath(model), 'onnx', 'model_quantized.onnx');
      const original = new Uint8Array(readFileSync(path));
      const floatsOnly = await readModelWithWeightsByReference(memoryReader(original), { location: 'model_quantized.onnx' });
      const result = await readModelWithWeightsByReference(memoryReader(original), {
        location: 'model_quantized.onnx',
        integerMatrices: true,
      });
      const before = readInitializers(original, readOnnxModel(original)!.graphFields);
      const after = readInitializers(result.model, readOnnxModel(result.model)!.graphFields);
      const integerMatrices = [...before.values()].filter(
        (initializer) =>
          (initializer.elementType === ElementType.int8 || initializer.elementType === ElementType.uint8) &&
          initializer.dims.length === 2 &&
          (initializer.rawData?.length ?? 0) >= 1024,
      );
      expect(integerMatrices.length).toBeGreaterThan(0);
      expect(result.referenced).toBe(floatsOnly.referenced + integerMatrices.length);
      for (const initializer of integerMatrices) expect(after.get(initializer.name)!.external, initializer.name).toBe(true);
      // Zero points, small matrices and other integer tensors stay, so the edits that read them still can.
      for (const [name, initializer] of before) {
        const isInteger = initializer.elementType !== ElementType.float;
        if (isInteger && !integerMatrices.includes(initializer)) expect(after.get(name)!.external, name).toBe(false);
      }
      expect(result.model.length).toBeLessThan(
        floatsOnly.model.length -
          integerMatrices.reduce((total, initializer) => total + initializer.rawData!.length, 0) +
          200 * integerMatrices.length,
      );
      // The single graph is prepared alike, the batch variant still judged possible: it reads the int8 weights through the reader.
      const readExternalData = (location: string, offset: number, length: number) => {
        expect(location).toBe('model_quantized.onnx');
        return original.slice(offset, offset + length);
      };
      const fromFile = prepareFillMaskGraphs(original);
      const byReference = prepareFillMaskGraphs(result.model, { readExternalData });
      expect(byReference.notes).toEqual(fromFile.notes);
      expect({ batchGraph: byReference.batchGraph, batchInvariant: byReference.batchInvariant }).toEqual({
        batchGraph: fromFile.batchGraph,
        batchInvariant: fromFile.batchInvariant,
      });
      expect(await logits(byReference.single.model ?? result.model, dirname(path), byReference.single.positionsInput)).toEqual(
        await logits(fromFile.single.model ?? original, dirname(path), fromFile.single.positionsInput),
      );
      // The batch variant sums the weights' columns as read, and still leaves them in the file.
      expect(fromFile.batchGraph).toBe(true);
      const batchFromFile = prepareBatchGraph(original).graph;
      const batchByReference = prepareBatchGraph(result.model, { readExternalData }).graph;
      expect(batchByReference.model.length).toBeLessThan(
        batchFromFile.model.length -
          integerMatrices.reduce((total, initializer) => total + initializer.rawData!.length, 0) +
          200 * integerMatrices.length,
      );
      expect(await logits(batchByReference.model, dirname(path), batchByReference.positionsInput)).toEqual(
        await logits(batchFromFile.model, dirname(path), batchFromFile.positionsInput),
      );
      // Without a reader, int8 weights outside the graph rule the variant out, and the note says why.
      const unreadable = prepareFillMaskGraphs(result.model);
      expect(unreadable.batchGraph).toBe(false);
      expect(unreadable.notes.at(-1)).toMatch(
        /^int8 activations stay quantized per tensor, so inputs run one at a time by default: the weights .+ are in external data \(model_quantized\.onnx\), which this graph's source cannot read to sum their columns$/,
      );
      expect(() => prepareBatchGraph(result.model)).toThrow(/which this graph's source cannot read to sum their columns/);
    });
  }

  it('with integerMatrices, references int8 and uint8 tensors of rank 2 only, whether their dims are packed or not', async () => {
    const tensor = (name: string, elementType: number, dims: readonly number[], packed: boolean) =>
      encodeMessageField(GraphField.initializer, [
        ...(packed
          ? [
              encodeMessageField(
                TensorField.dims,
                dims.map((size) => encodeVarint(size)),
              ),
            ]
          : dims.map((size) => encodeVarintField(TensorField.dims, size))),
        encodeVarintField(TensorField.dataType, elementType),
        encodeStringField(TensorField.name, name),
        encodeMessageField(TensorField.rawData, [new Uint8Array(dims.reduce((count, size) => count * size, 1))]),
      ]);
    const model = encodeMessageField(ModelField.graph, [
      tensor('packed', ElementType.int8, [32, 64], true),
      tensor('unpacked', ElementType.uint8, [64, 32], false),
      tensor('vector', ElementType.int8, [2048], true),
      tensor('cube', ElementType.int8, [8, 16, 16], false),
      tensor('small', ElementType.int8, [16, 16], true),
    ]);
    const result = await readModelWithWeightsByReference(memoryReader(model), { location: 'model.onnx', integerMatrices: true });
    expect([...references(result.model).keys()]).toEqual(['packed', 'unpacked']);
    expect((await readModelWithWeightsByReference(memoryReader(model), { location: 'model.onnx' })).referenced).toBe(0);
  });
});
