import { describe, expect, it } from 'vitest';
import { modelConfig, readModelFlags } from './model-flags.js';

describe('model flags', () => {
  it('--force-download asks the Hub source to download cached files again', () => {
    const flags = readModelFlags({ model: 'org/name', dtype: 'fp32', offline: false, 'force-download': true });
    expect(flags.forceDownload).toBe(true);
    expect(modelConfig(flags, { batches: false })).toMatchObject({ model: 'org/name', forceDownload: true });
    const plain = readModelFlags({ model: 'org/name', dtype: 'fp32', offline: false, 'force-download': false });
    expect(modelConfig(plain, { batches: false }).forceDownload).toBeUndefined();
  });

  it('--batch-tokens sets the token budget of a forward pass; it must be a positive integer', () => {
    const flags = readModelFlags({ model: 'org/name', dtype: 'fp32', offline: false, 'batch-tokens': '384' });
    expect(modelConfig(flags, { batches: false })).toMatchObject({ maxBatchTokens: 384 });
    expect(
      modelConfig(readModelFlags({ model: 'org/name', dtype: 'fp32', offline: false }), { batches: false }).maxBatchTokens,
    ).toBeUndefined();
    for (const value of ['0', '-5', '2.5', 'many']) {
      expect(() => readModelFlags({ model: 'org/name', dtype: 'fp32', offline: false, 'batch-tokens': value })).toThrow(/--batch-tokens/);
    }
  });
});
