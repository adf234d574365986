import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
import { encodeNode } from './onnx-node.js';
import { encodeValueInfo } from './onnx-value-info.js';
import { concatBytes, encodeStringField, encodeVarintField, encodeMessageField } from './protobuf-wire.js';

const batch = { size: 2, length: 7 };
const ids = [
  [101, 1996, 103, 2003, 1037, 103, 102],
  [101, 2023, 2003, 103, 102, 0, 0],
];

async function run(model: Uint8Array | string, feeds: Record<string, ort.Tensor>): Promise<ort.Tensor> {
  const session = typeof model === 'string' ? await ort.InferenceSession.create(model) : await ort.InferenceSession.create(model);
  try {
    const inputs = Object.fromEntries(session.inputNames.map((name) => [name, feeds[name]]));
    return (await session.run(inputs)).logits;
  } finally {
    await session.release();
  }
}

function feeds(): Record<string, ort.Tensor> {
  const dims = [batch.size, batch.length];
  return {
    input_ids: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), BigInt), dims),
    attention_mask: new ort.Tensor(
      'int64',
      BigInt64Array.from(ids.flat(), (id) => (id === 0 ? 0n : 1n)),
      dims,
    ),
    token_type_ids: new ort.Tensor('int64', new BigInt64Array(batch.size * batch.length), dims),
  };
}

describe('gatherMaskRows', () => {
  for (const model of fixtureModels) {
    for (const file of ['model.onnx', 'model_quantized.onnx']) {
      it(`${model}/${file}: the rewritten graph returns exactly the full graph's logits at the asked positions`, async () => {
        const path = join(fixtureModelPath(model), 'onnx', file);
        const rewrite = gatherMaskRows(new Uint8Array(readFileSync(path)));
        if (!rewrite.rewritten) throw new Error(rewrite.reason);
        expect(rewrite.positionsInput).toBe(maskPositionsInput);

        const full = await run(path, feeds());
        const vocab = full.dims[2];
        const positions = [2, 5, 1 * batch.length + 3, 0];
        const gathered = await run(rewrite.model, {
          ...feeds(),
          [maskPositionsInput]: new ort.Tensor('int64', BigInt64Array.from(positions, BigInt), [positions.length]),
        });
        expect(gathered.dims).toEqual([positions.length, vocab]);
        const fullData = full.data as Float32Array;
        const gatheredData = gathered.data as Float32Array;
        positions.forEach((position, row) => {
          const expected = fullData.subarray(position * vocab, (position + 1) * vocab);
          const actual = gatheredData.subarray(row * vocab, (row + 1) * vocab);
          let largest = 0;
          for (let index = 0; index < vocab; index++) largest = Math.max(largest, Math.abs(actual[index] - expected[index]));
          // int8 graphs keep the full tensor's quantization scale, so they match as closely as fp32.
          expect(largest).toBeLessThan(1e-4);
        });
      });
    }
  }

  describe('moves the cut above the projection through ops that compute each row from that row alone', () => {
    // x [batch, sequence, 4] → MatMul W1 → h → Relu → r; logits = MatMul(r, W2) + b, vocab 5.
    const hidden = 4;
    const vocab = 5;
    const weights = (rows: number, columns: number, seed: number) =>
      Float32Array.from({ length: rows * columns }, (_, index) => Math.sin(seed + index * 0.7));
    function initializer(name: string, dims: number[], values: Float32Array): Uint8Array {
      return encodeMessageField(5, [
        ...dims.map((dim) => encodeVarintField(1, dim)),
        encodeVarintField(2, 1),
        encodeStringField(8, name),
        encodeMessageField(9, [new Uint8Array(values.buffer)]),
      ]);
    }
    function model(extraOutput: boolean): Uint8Array {
      const graph = encodeMessageField(7, [
        encodeNode({ name: 'm1', opType: 'MatMul', inputs: ['x', 'W1'], outputs: ['h'] }),
        encodeNode({ name: 'relu', opType: 'Relu', inputs: ['h'], outputs: ['r'] }),
        encodeNode({ name: 'm2', opType: 'MatMul', inputs: ['r', 'W2'], outputs: ['projected'] }),
        encodeNode({ name: 'bias', opType: 'Add', inputs: ['projected', 'b'], outputs: ['logits'] }),
        ...(extraOutput ? [encodeNode({ name: 'copy', opType: 'Identity', inputs: ['h'], outputs: ['h_copy'] })] : []),
        encodeStringField(2, 'synthetic'),
        initializer('W1', [hidden, hidden], weights(hidden, hidden, 1)),
        initializer('W2', [hidden, vocab], weights(hidden, vocab, 2)),
        initializer('b', [vocab], weights(1, vocab, 3)),
        encodeValueInfo(11, { name: 'x', elementType: 1, shape: ['batch', 'sequence', hidden] }),
        encodeValueInfo(12, { name: 'logits', elementType: 1, shape: ['batch', 'sequence', vocab] }),
        ...(extraOutput ? [encodeValueInfo(12, { name: 'h_copy', elementType: 1, shape: ['batch', 'sequence', hidden] })] : []),
      ]);
      return concatBytes([encodeVarintField(1, 8), encodeMessageField(8, [encodeStringField(1, ''), encodeVarintField(2, 17)]), graph]);
    }
    const input = new ort.Tensor(
      'float32',
      Float32Array.from({ length: 2 * 3 * hidden }, (_, index) => Math.cos(index)),
      [2, 3, hidden],
    );
    const positions = [4, 0, 2];

    for (const [extraOutput, expectedOps] of [
      [false, 3],
      [true, 2],
    ] as const) {
      it(
        extraOutput ? 'stops where a tensor is also read outside the region (h feeds another output)' : 'up to the graph input',
        async () => {
          const full = await ort.InferenceSession.create(model(extraOutput));
          const rewrite = gatherMaskRows(model(extraOutput));
          if (!rewrite.rewritten) throw new Error(rewrite.reason);
          expect(rewrite.maskRowOps).toBe(expectedOps);
          const gathered = await ort.InferenceSession.create(rewrite.model);
          try {
            const fullOutputs = await full.run({ x: input });
            const rows = await gathered.run({
              x: input,
              [maskPositionsInput]: new ort.Tensor('int64', BigInt64Array.from(positions, BigInt), [positions.length]),
            });
            expect(rows.logits.dims).toEqual([positions.length, vocab]);
            const expected = positions.flatMap((position) => [
              ...(fullOutputs.logits.data as Float32Array).subarray(position * vocab, (position + 1) * vocab),
            ]);
            for (const [index, value] of (rows.logits.data as Float32Array).entries()) expect(value).toBeCloseTo(expected[index], 6);
            // The other output still sees every position.
            if (extraOutput) expect(rows.h_copy.data).toEqual(fullOutputs.h_copy.data);
          } finally {
            await full.release();
            await gathered.release();
          }
        },
      );
    }
  });

  it('leaves a graph whose logits do not come from a projection alone, with the reason', () => {
    // A graph whose only node is an Identity from an input to the output.
    const node = encodeMessageField(1, [encodeStringField(1, 'x'), encodeStringField(2, 'logits'), encodeStringField(4, 'Identity')]);
    const output = encodeMessageField(12, [encodeStringField(1, 'logits')]);
    const graph = encodeMessageField(7, [node, output]);
    const model = concatBytes([encodeVarintField(1, 7), graph]);
    const rewrite = gatherMaskRows(model);
    expect(rewrite).toEqual({
      rewritten: false,
      reason: 'the logits come from Identity (logits), not from a projection followed by per-position ops',
    });
  });

  it('leaves a model without a graph', () => {
    expect(gatherMaskRows(encodeVarintField(1, 7))).toEqual({ rewritten: false, reason: 'the model has no graph' });
  });
});
