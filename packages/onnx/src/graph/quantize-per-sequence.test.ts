import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportedGraphPath, fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
import { ElementType, GraphField, ModelField } from './onnx-fields.js';
import { encodeNode } from './onnx-node.js';
import { encodeValueInfo, readValueInfo } from './onnx-value-info.js';
import { readOnnxModel } from './onnx-model.js';
import { concatBytes, encodeMessageField, encodeStringField, encodeVarintField } from './protobuf-wire.js';
import { checkPerSequenceQuantization, quantizePerSequence } from './quantize-per-sequence.js';

// Exact int8 products on every x64 CPU, as @fillmask/backend-onnx's defaults ask.
const sessionOptions: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  extra: { session: { x64quantprecision: '1' } },
};

/** Inputs of different lengths, so the batch pads all but the longest. */
const inputs = [
  [101, 1996, 103, 2003, 1037, 2307, 2154, 1012, 102],
  [101, 2023, 2003, 103, 102],
  [101, 1045, 2293, 103, 2017, 102],
];
const maskColumn = (row: number[]) => row.indexOf(103);

function feedsFor(session: ort.InferenceSession, rows: number[][], positions?: number[]): Record<string, ort.Tensor> {
  const length = Math.max(...rows.map((row) => row.length));
  const ids = new BigInt64Array(rows.length * length);
  const mask = new BigInt64Array(rows.length * length);
  for (const [index, row] of rows.entries()) {
    for (const [column, id] of row.entries()) {
      ids[index * length + column] = BigInt(id);
      mask[index * length + column] = 1n;
    }
  }
  const dims = [rows.length, length];
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(ids.length), dims),
    [maskPositionsInput]: new ort.Tensor(
      'int64',
      BigInt64Array.from(positions ?? rows.map((row, index) => index * length + maskColumn(row)), BigInt),
    ),
  };
  return Object.fromEntries(session.inputNames.map((name) => [name, all[name]]));
}

/** The logits at each input's mask from one run of `rows` through a graph that gathers the mask rows. */
async function maskLogits(session: ort.InferenceSession, rows: number[][]): Promise<Float32Array[]> {
  const logits = (await session.run(feedsFor(session, rows))).logits;
  const width = logits.dims[1];
  return rows.map((_, index) => (logits.data as Float32Array).slice(index * width, (index + 1) * width));
}

function largestDifference(a: Float32Array[], b: Float32Array[]): number {
  return Math.max(...a.map((row, index) => Math.max(...row.map((value, column) => Math.abs(value - b[index][column])))));
}

describe('quantizePerSequence', () => {
  for (const model of fixtureModels) {
    describe(model, () => {
      const original = new Uint8Array(readFileSync(join(fixtureModelPath(model), 'onnx', 'model_quantized.onnx')));
      const sessions: Record<'original' | 'perSequence', ort.InferenceSession> = {} as never;
      beforeAll(async () => {
        const perSequence = quantizePerSequence(original);
        if (perSequence.kind !== 'rewritten') throw new Error(`not rewritten: ${JSON.stringify(perSequence)}`);
        const originalRows = gatherMaskRows(original);
        const perSequenceRows = gatherMaskRows(perSequence.model, { rowScalars: perSequence.rowScalars });
        if (!originalRows.rewritten || !perSequenceRows.rewritten) throw new Error('mask rows not gathered');
        sessions.original = await ort.InferenceSession.create(originalRows.model, sessionOptions);
        sessions.perSequence = await ort.InferenceSession.create(perSequenceRows.model, sessionOptions);
      });
      afterAll(async () => {
        await sessions.original?.release();
        await sessions.perSequence?.release();
      });

      it('gives one input exactly the logits of the graph as exported', async () => {
        for (const row of inputs)
          expect(largestDifference(await maskLogits(sessions.perSequence, [row]), await maskLogits(sessions.original, [row]))).toBe(0);
      });

      it('gives each input of a padded batch exactly its logits alone, where the exported graph does not', async () => {
        const alone = (await Promise.all(inputs.map((row) => maskLogits(sessions.original, [row])))).flat();
        expect(largestDifference(await maskLogits(sessions.perSequence, inputs), alone)).toBe(0);
        // The exported graph quantizes the whole batch with one scale: batch-mates move each other's logits.
        expect(largestDifference(await maskLogits(sessions.original, inputs), alone)).toBeGreaterThan(1e-3);
      });
    });
  }

  it('quantizes the head tied to the quantized embeddings (a Transpose of them) and ALBERT shared layers', () => {
    for (const model of ['tiny-roberta', 'tiny-albert'] as const) {
      const result = quantizePerSequence(new Uint8Array(readFileSync(join(fixtureModelPath(model), 'onnx', 'model_quantized.onnx'))));
      expect(result.kind, model).toBe('rewritten');
    }
  });

  it("scales each int32 product in one DequantizeLinear, except the logits' projection (scaled per row)", () => {
    for (const model of fixtureModels) {
      const original = new Uint8Array(readFileSync(join(fixtureModelPath(model), 'onnx', 'model_quantized.onnx')));
      const products = readOnnxModel(original)!
        .nodes.filter((node) => node.opType === 'MatMulInteger')
        .map((node) => node.outputs[0]);
      const result = quantizePerSequence(original);
      if (result.kind !== 'rewritten') throw new Error(`${model} not rewritten`);
      const rewritten = readOnnxModel(result.model)!.nodes;
      const readers = (name: string) => rewritten.filter((node) => node.inputs.includes(name)).map((node) => node.opType);
      const readerKinds = products.map((product) => readers(product).join('+')).sort();
      expect(readerKinds, model).toEqual([...new Array(products.length - 1).fill('DequantizeLinear'), 'Cast'].sort());
    }
  });

  it('has nothing to do for an fp32 graph', () => {
    expect(quantizePerSequence(new Uint8Array(readFileSync(join(fixtureModelPath('tiny-bert-uncased'), 'onnx', 'model.onnx'))))).toEqual({
      kind: 'no-dynamic-quantization',
    });
  });

  describe('leaves graphs of another shape alone, with the reason', () => {
    const weights = (name: string) =>
      encodeMessageField(GraphField.initializer, [
        encodeVarintField(1, 2),
        encodeVarintField(1, 2),
        encodeVarintField(2, ElementType.int8),
        encodeStringField(8, name),
        encodeMessageField(9, [Uint8Array.of(1, 2, 3, 4)]),
      ]);
    const graph = (options: { opset?: number; maskInput?: boolean; quantizedReader?: string; valueInfo?: string[] }) => {
      const nodes = [
        encodeNode({ name: 'q', opType: 'DynamicQuantizeLinear', inputs: ['x'], outputs: ['xq', 'xs', 'xz'] }),
        encodeNode({ name: 'mm', opType: options.quantizedReader ?? 'MatMulInteger', inputs: ['xq', 'w', 'xz'], outputs: ['y'] }),
      ];
      const inputs = [
        encodeValueInfo(GraphField.input, { name: 'x', elementType: ElementType.float, shape: ['batch', 'sequence', 2] }),
        ...(options.maskInput === false
          ? []
          : [encodeValueInfo(GraphField.input, { name: 'attention_mask', elementType: ElementType.int64, shape: ['batch', 'sequence'] })]),
      ];
      return concatBytes([
        encodeVarintField(1, 8),
        encodeMessageField(ModelField.opsetImport, [encodeStringField(1, ''), encodeVarintField(2, options.opset ?? 14)]),
        encodeMessageField(ModelField.graph, [
          ...nodes,
          weights('w'),
          ...inputs,
          // Shapes recorded for intermediate tensors (GraphProto.value_info, field 13), as exporters write them.
          ...(options.valueInfo ?? []).map((name) =>
            encodeValueInfo(GraphField.valueInfo, {
              name,
              elementType: ElementType.float,
              shape: name === 'xs' ? [] : ['batch', 'sequence', 2],
            }),
          ),
        ]),
      ]);
    };

    it('rewrites the graph the cases below spoil', () => {
      expect(quantizePerSequence(graph({})).kind).toBe('rewritten');
      expect(checkPerSequenceQuantization(graph({}))).toEqual({ kind: 'rewritten', quantizers: 1 });
    });

    it('drops the shapes recorded for the scales, which gain a batch axis', () => {
      const recordedShapes = (model: Uint8Array) => {
        const parsed = readOnnxModel(model)!;
        return parsed.graphFields.filter((field) => field.number === GraphField.valueInfo).map((field) => readValueInfo(model, field).name);
      };
      const model = graph({ valueInfo: ['xs', 'y'] });
      expect(recordedShapes(model)).toEqual(['xs', 'y']);
      const rewritten = quantizePerSequence(model);
      if (rewritten.kind !== 'rewritten') throw new Error(rewritten.kind);
      expect(recordedShapes(rewritten.model)).toEqual(['y']);
    });

    it.each([
      [{ maskInput: false }, 'the graph takes no attention_mask, so padding cannot be told from tokens'],
      [{ opset: 12 }, 'opset 12 is older than 13 (QuantizeLinear per axis)'],
      [{ quantizedReader: 'ConvInteger' }, 'xq is read by something other than a MatMulInteger with its zero point'],
    ])('%j', (options, reason) => {
      expect(quantizePerSequence(graph(options))).toEqual({ kind: 'skipped', reason });
      expect(checkPerSequenceQuantization(graph(options))).toEqual({ kind: 'skipped', reason });
    });
  });
});

describe('graphs from torch’s dynamo exporter', () => {
  const exported = (variant: 'deberta-v2-dynamo' | 'bert-dynamo') =>
    new Uint8Array(readFileSync(join(exportedGraphPath(variant), 'onnx', 'model_quantized.onnx')));

  it('keeps the one scale of a tensor computed from the weights alone: DeBERTa’s relative-position table', () => {
    const model = exported('deberta-v2-dynamo');
    const before = readOnnxModel(model)!.nodes.filter((node) => node.opType === 'DynamicQuantizeLinear');
    const rewrite = quantizePerSequence(model);
    expect(rewrite.kind).toBe('rewritten');
    const left = readOnnxModel((rewrite as { model: Uint8Array }).model)!.nodes.filter((node) => node.opType === 'DynamicQuantizeLinear');
    // The table [1, 2 × span, hidden] has no batch or sequence axis; every other quantizer now works per input.
    expect(left.map((node) => node.inputs[0])).toEqual(['unsqueeze_8']);
    expect((rewrite as { quantizers: number }).quantizers).toBe(before.length - 1);
  });

  it('gathers no per-input scale as if it held rows: the mask rows start below the head’s int8 product', () => {
    const rewrite = quantizePerSequence(exported('bert-dynamo'));
    if (rewrite.kind !== 'rewritten') throw new Error(`not rewritten: ${rewrite.kind}`);
    expect(rewrite.inputScalars.size).toBeGreaterThan(0);
    const rows = gatherMaskRows(rewrite.model, { rowScalars: rewrite.rowScalars, inputScalars: rewrite.inputScalars });
    if (!rows.rewritten) throw new Error(rows.reason);
    const gathered = readOnnxModel(rows.model)!
      .nodes.filter((node) => node.opType === 'Gather' && node.inputs[1] === maskPositionsInput)
      .map((node) => node.inputs[0].replace(/\/fillmask_flattened$/, ''));
    expect(gathered.length).toBeGreaterThan(0);
    for (const name of gathered) expect(rewrite.inputScalars.has(name), name).toBe(false);
  });
});
