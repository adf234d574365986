import { describe, expect, it } from 'vitest';
import { testEnvironment } from '../benchmark-environment.test-helper.js';
import { batchSettings } from './batch-settings.js';
import { sweepMarkdown } from './sweep-results.js';

const environment = testEnvironment();

describe('batch-tokens sweep', () => {
  it('compares a row count alone with each budget, whose row cap never binds first', () => {
    expect(batchSettings([256, 512], 32)).toEqual([
      { label: '32 inputs, no budget', batchSize: 32, maxBatchTokens: Number.MAX_SAFE_INTEGER },
      { label: '256 tokens', batchSize: 1024, maxBatchTokens: 256 },
      { label: '512 tokens', batchSize: 1024, maxBatchTokens: 512 },
    ]);
  });

  it('tables each dtype and thread count: medians, ratios to the row count alone, the fastest and the default', () => {
    const markdown = sweepMarkdown(
      {
        date: '2026-12-07T16:00:00.000Z',
        model: 'bench-models/bench-distilroberta',
        sentences: 256,
        rounds: 3,
        defaults: { 2: 256 },
        arguments: ['--threads', '2'],
        cases: [
          { dtype: 'fp32', threads: 2, setting: '32 inputs, no budget', sentencesPerSecond: [30, 20, 40] },
          { dtype: 'fp32', threads: 2, setting: '256 tokens', sentencesPerSecond: [60, 45, 50] },
          { dtype: 'fp32', threads: 2, setting: '512 tokens', sentencesPerSecond: [45, 44, 46] },
        ],
      },
      environment,
    );
    expect(markdown).toContain('## fp32, 2 threads');
    expect(markdown).toContain('| 32 inputs, no budget | 30.0 | 1.00× | 30.0, 20.0, 40.0 |  |');
    expect(markdown).toContain('| 256 tokens (fastest) | 50.0 | 1.67× | 60.0, 45.0, 50.0 | yes |');
    expect(markdown).toContain('| 512 tokens | 45.0 | 1.50× | 45.0, 44.0, 46.0 |  |');
    expect(markdown).toContain('Command: `npm run bench -- --batch-tokens --threads 2`');
  });
});
