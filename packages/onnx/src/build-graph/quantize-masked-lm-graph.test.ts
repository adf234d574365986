import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UnsupportedModelError } from '@fillmask/core';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NodeField } from '../graph/onnx-fields.js';
import { readInitializers } from '../graph/onnx-initializer.js';
import { readOnnxModel } from '../graph/onnx-model.js';
import { fieldText, readFields } from '../graph/protobuf-wire.js';
import { prepareBatchGraph, prepareFillMaskGraphs } from '../graph/prepare-fill-mask-graphs.js';
import { buildMaskedLmGraph } from './build-masked-lm-graph.js';
import { fixtureArchitectures, readFixtureCheckpoint, type ExpectedLogits } from './fixture-checkpoints.test-helper.js';
import { quantizeMaskedLmGraph } from './quantize-masked-lm-graph.js';

/** What `__fixtures__/q8/make_q8_reference.py` wrote: onnxruntime's quantizer run on the same fp32 graph. */
interface PythonReference {
  readonly onnxruntime: string;
  readonly ops: Readonly<Record<string, number>>;
  /** `[op, name, inputs, outputs]` of the DynamicQuantizeLinear, MatMulInteger and DequantizeLinear nodes and the rewired Gathers and Transposes. */
  readonly quantization_nodes: ReadonlyArray<readonly [string, string, readonly string[], readonly string[]]>;
  /** Name → `[data type, dims, first 16 hex digits of the sha256 of its little-endian values]`. */
  readonly initializers: Readonly<Record<string, readonly [number, readonly number[], string]>>;
  /** The logits of each fixture input alone, float32 `[positions, vocab]`, base64. */
  readonly logits_alone: readonly string[];
}

const referenceFolder = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__', 'q8');
const readReference = (architecture: string): PythonReference =>
  JSON.parse(readFileSync(join(referenceFolder, `${architecture}.json`), 'utf8')) as PythonReference;

// Exact int8 products on every x64 CPU, as @fillmask/backend-onnx's defaults ask (and the reference was computed with).
const sessionOptions: ort.InferenceSession.SessionOptions = {
  graphOptimizationLevel: 'all',
  extra: { session: { x64quantprecision: '1' } },
};

/** The graph's nodes and initializers, described as the reference describes them. */
function describeGraph(model: Uint8Array) {
  const parsed = readOnnxModel(model)!;
  const nodes = parsed.nodes.map((node) => {
    const name = readFields(model, node.field.valueStart, node.field.valueEnd).find((part) => part.number === NodeField.name);
    return { opType: node.opType, name: name ? fieldText(model, name) : '', inputs: node.inputs, outputs: node.outputs };
  });
  const ops: Record<string, number> = {};
  for (const { opType } of nodes) ops[opType] = (ops[opType] ?? 0) + 1;
  const rewired = nodes.filter(
    ({ opType, outputs }) =>
      ['DynamicQuantizeLinear', 'MatMulInteger', 'DequantizeLinear'].includes(opType) ||
      (['Gather', 'Transpose'].includes(opType) && outputs[0].endsWith('_quantized')),
  );
  const initializers = Object.fromEntries(
    [...readInitializers(model, parsed.graphFields).values()].map(({ name, elementType, dims, rawData }) => [
      name,
      [elementType, dims, createHash('sha256').update(rawData!).digest('hex').slice(0, 16)],
    ]),
  );
  return { ops, quantizationNodes: rewired.map(({ opType, name, inputs, outputs }) => [opType, name, inputs, outputs]), initializers };
}

/** Feeds for `rows` right-padded with the pad id, with the inputs the session takes (and mask positions, if it takes them). */
function feedsFor(
  session: ort.InferenceSession,
  expected: ExpectedLogits,
  rows: number[],
  positions?: number[],
): Record<string, ort.Tensor> {
  const inputs = rows.map((row) => expected.inputs[row]);
  const length = Math.max(...inputs.map((input) => input.input_ids.length));
  const ids = new BigInt64Array(inputs.length * length).fill(BigInt(expected.pad_token_id));
  const mask = new BigInt64Array(ids.length);
  const types = new BigInt64Array(ids.length);
  for (const [row, input] of inputs.entries()) {
    for (const [column, id] of input.input_ids.entries()) {
      ids[row * length + column] = BigInt(id);
      mask[row * length + column] = 1n;
      types[row * length + column] = BigInt(input.token_type_ids[column]);
    }
  }
  const dims = [inputs.length, length];
  const all: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', ids, dims),
    attention_mask: new ort.Tensor('int64', mask, dims),
    token_type_ids: new ort.Tensor('int64', types, dims),
    fillmask_mask_positions: new ort.Tensor('int64', BigInt64Array.from(positions ?? [], BigInt), [positions?.length ?? 0]),
  };
  return Object.fromEntries(session.inputNames.map((name) => [name, all[name]]));
}

/** The logits of each fixture input run alone, `[input][position][vocab]`. */
async function logitsAlone(session: ort.InferenceSession, expected: ExpectedLogits): Promise<Float32Array[][]> {
  const all: Float32Array[][] = [];
  for (const [row, input] of expected.inputs.entries()) {
    const { logits } = await session.run(feedsFor(session, expected, [row]));
    const vocab = logits.dims[2];
    const data = logits.data as Float32Array;
    all.push(Array.from({ length: input.input_ids.length }, (_, position) => data.slice(position * vocab, (position + 1) * vocab)));
  }
  return all;
}

function decodeLogits(base64: string, vocab: number): Float32Array[] {
  const bytes = Buffer.from(base64, 'base64');
  const values = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return Array.from({ length: values.length / vocab }, (_, position) => values.slice(position * vocab, (position + 1) * vocab));
}

function largestDifference(actual: ArrayLike<number>[], expected: ArrayLike<number>[]): number {
  let largest = 0;
  for (const [position, row] of actual.entries()) {
    for (let column = 0; column < row.length; column++) largest = Math.max(largest, Math.abs(row[column] - expected[position][column]));
  }
  return largest;
}

/** How far the top logit is above the next. */
function lead(row: ArrayLike<number>): number {
  const sorted = Array.from(row).sort((a, b) => b - a);
  return sorted[0] - sorted[1];
}

function topToken(row: ArrayLike<number>): number {
  let best = 0;
  for (let column = 1; column < row.length; column++) if (row[column] > row[best]) best = column;
  return best;
}

describe('quantizeMaskedLmGraph, through buildMaskedLmGraph(…, { dtype: "q8" })', () => {
  for (const architecture of fixtureArchitectures) {
    describe(architecture, () => {
      const { config, weights, expected } = readFixtureCheckpoint(architecture);
      const reference = readReference(architecture);
      let model: Uint8Array;
      let session: ort.InferenceSession;
      beforeAll(async () => {
        model = buildMaskedLmGraph(config, weights, { dtype: 'q8' });
        session = await ort.InferenceSession.create(model, sessionOptions);
      });
      afterAll(async () => {
        await session?.release();
      });

      it('is quantizeMaskedLmGraph of the fp32 graph', () => {
        expect(model).toEqual(quantizeMaskedLmGraph(buildMaskedLmGraph(config, weights)));
      });

      it("has the nodes onnxruntime's quantizer writes, with the same names", () => {
        const graph = describeGraph(model);
        expect(graph.ops).toEqual(reference.ops);
        expect(graph.quantizationNodes).toEqual(reference.quantization_nodes);
      });

      it("has onnxruntime's int8 weights, uint8 tables, scales and zero points, byte for byte, and no fp32 copy left of them", () => {
        expect(describeGraph(model).initializers).toEqual(reference.initializers);
      });

      it("gives the logits of onnxruntime's quantized graph", async () => {
        const alone = await logitsAlone(session, expected);
        const scale = Math.max(1, ...expected.single.flat(2).map(Math.abs));
        for (const [row, logits] of alone.entries()) {
          expect(largestDifference(logits, decodeLogits(reference.logits_alone[row], config.vocab_size as number))).toBeLessThanOrEqual(
            1e-6 * scale,
          );
        }
      });

      it("stays close to torch's fp32 logits: the same top token at most positions, and wherever it leads clearly", async () => {
        const alone = (await logitsAlone(session, expected)).flat();
        const fp32 = expected.single.flat();
        const range = Math.max(...fp32.flat().map(Math.abs));
        const agrees = alone.map((logits, position) => topToken(logits) === topToken(fp32[position]));
        expect(agrees.filter(Boolean).length / agrees.length).toBeGreaterThanOrEqual(0.8);
        // The random tiny models have near ties; where fp32's top token leads by 5% of the logits' range, int8 keeps it.
        expect(fp32.filter((logits, position) => lead(logits) > 0.05 * range && !agrees[position])).toEqual([]);
        // ALBERT's four passes through two shared layers compound the int8 error most (14% of the range).
        expect(largestDifference(alone, fp32)).toBeLessThan(0.2 * range);
      });

      it('is prepared by prepareFillMaskGraphs: mask rows gathered, batches through a variant that leaves each answer as it is alone', async () => {
        const prepared = prepareFillMaskGraphs(model);
        expect(prepared.single.positionsInput).toBe('fillmask_mask_positions');
        expect(prepared).toMatchObject({ batchGraph: true, batchInvariant: true });
        const batch = prepareBatchGraph(model);
        expect(batch.graph.positionsInput).toBe('fillmask_mask_positions');
        const single = await ort.InferenceSession.create(prepared.single.model!, sessionOptions);
        const batched = await ort.InferenceSession.create(batch.graph.model, sessionOptions);
        try {
          // Positions 2 of the first input and 1 and 9 of the second: alone, then in one right-padded batch (rows of 12).
          const alone = [
            ...((await single.run(feedsFor(single, expected, [0], [2]))).logits.data as Float32Array),
            ...((await single.run(feedsFor(single, expected, [1], [1, 9]))).logits.data as Float32Array),
          ];
          const together = (await batched.run(feedsFor(batched, expected, [0, 1], [2, 12 + 1, 12 + 9]))).logits.data as Float32Array;
          const scale = Math.max(1, ...alone.map(Math.abs));
          expect(largestDifference([together], [alone])).toBeLessThan(1e-5 * scale);
        } finally {
          await single.release();
          await batched.release();
        }
      });
    });
  }
});

describe('buildMaskedLmGraph dtypes', () => {
  const { config, weights } = readFixtureCheckpoint('bert');

  it("builds fp32 by default, and 'q8' smaller", () => {
    const fp32 = buildMaskedLmGraph(config, weights);
    expect(buildMaskedLmGraph(config, weights, { dtype: 'fp32' })).toEqual(fp32);
    expect(buildMaskedLmGraph(config, weights, { dtype: 'q8' }).length).toBeLessThan(fp32.length);
  });

  it('throws UnsupportedModelError for a dtype it cannot build', () => {
    const build = () => buildMaskedLmGraph(config, weights, { model: 'tiny/bert', dtype: 'q4' as 'q8' });
    expect(build).toThrow(UnsupportedModelError);
    expect(build).toThrow(
      'Model tiny/bert cannot be used for fill-mask: its graph cannot be built with dtype "q4"; the dtypes that can be built are fp32, q8.',
    );
  });
});

describe('quantizeMaskedLmGraph', () => {
  it('throws a TypeError for bytes that hold no ONNX graph', () => {
    expect(() => quantizeMaskedLmGraph(new Uint8Array([8, 8]))).toThrow(TypeError);
  });
});
