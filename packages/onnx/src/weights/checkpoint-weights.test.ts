import { InvalidModelFileError } from '@fillmask/core';
import { describe, expect, it } from 'vitest';
import { checkpointWeights } from './checkpoint-weights.js';
import type { WeightTensor } from './model-weights.js';

const where = { model: 'memory:test-model', file: 'model.safetensors' };
const tensor = (name: string, bytes = new Uint8Array(4)): WeightTensor => ({ name, dtype: 'F32', shape: [bytes.byteLength / 4], bytes });

describe('checkpointWeights', () => {
  it("keeps file order, renames, and counts every name's bytes", () => {
    const shared = new Uint8Array(8);
    const weights = checkpointWeights([tensor('b.LayerNorm.gamma'), tensor('a', shared), tensor('tied', shared)], where);
    expect(weights.names()).toEqual(['b.LayerNorm.weight', 'a', 'tied']);
    expect(weights.get('b.LayerNorm.weight')?.name).toBe('b.LayerNorm.weight');
    expect(weights.get('b.LayerNorm.gamma')).toBeUndefined();
    expect(weights.get('missing')).toBeUndefined();
    expect(weights.byteLength).toBe(20);
  });

  it('refuses two tensors that end up with one name', () => {
    for (const names of [
      ['x', 'x'],
      ['x.beta', 'x.bias'],
    ]) {
      const error = (() => {
        try {
          checkpointWeights(
            names.map((name) => tensor(name)),
            where,
          );
        } catch (caught) {
          return caught;
        }
      })();
      expect(InvalidModelFileError.isInstance(error), names.join()).toBe(true);
      expect((error as InvalidModelFileError).file).toBe('model.safetensors');
    }
  });
});
