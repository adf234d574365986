import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { fixtureModelPath, fixtureModels } from '@fillmask/fixtures';
import { gatherMaskRows, maskPositionsInput } from './gather-mask-rows.js';
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
    attention_mask: new ort.Tensor('int64', BigInt64Array.from(ids.flat(), (id) => (id === 0 ? 0n : 1n)), dims),
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
        const gathered = await run(rewrite.model, { ...feeds(), [maskPositionsInput]: new ort.Tensor('int64', BigInt64Array.from(positions, BigInt), [positions.length]) });
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

  it('leaves a graph whose logits do not come from a projection alone, with the reason', () => {
    // A graph whose only node is an Identity from an input to the output.
    const node = encodeMessageField(1, [encodeStringField(1, 'x'), encodeStringField(2, 'logits'), encodeStringField(4, 'Identity')]);
    const output = encodeMessageField(12, [encodeStringField(1, 'logits')]);
    const graph = encodeMessageField(7, [node, output]);
    const model = concatBytes([encodeVarintField(1, 7), graph]);
    const rewrite = gatherMaskRows(model);
    expect(rewrite).toEqual({ rewritten: false, reason: 'the logits come from Identity (logits), not from a projection followed by per-position ops' });
  });

  it('leaves a model without a graph', () => {
    expect(gatherMaskRows(encodeVarintField(1, 7))).toEqual({ rewritten: false, reason: 'the model has no graph' });
  });
});
