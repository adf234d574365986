import { describe, expect, it } from 'vitest';
import { modelConfig, readModelFlags } from './model-flags.js';

describe('model flags', () => {
  it('--force-download asks the Hub source to download cached files again', () => {
    const flags = readModelFlags({ model: 'org/name', dtype: 'fp32', offline: false, 'force-download': true });
    expect(flags.forceDownload).toBe(true);
    expect(modelConfig(flags)).toMatchObject({ model: 'org/name', forceDownload: true });
    const plain = readModelFlags({ model: 'org/name', dtype: 'fp32', offline: false, 'force-download': false });
    expect(modelConfig(plain).forceDownload).toBeUndefined();
  });
});
