import { describe, expect, it } from 'vitest';
import { parsePrometheusText } from './prometheus-metrics.js';

describe('parsePrometheusText', () => {
  it('reads each sample by name, labels included, and skips the comments', () => {
    const text = [
      '# HELP fillmask_batches_total Model calls, each serving one or more requests.',
      '# TYPE fillmask_batches_total counter',
      'fillmask_batches_total 17',
      'fillmask_responses_total{status="200"} 512',
      '',
      'fillmask_queued_inputs 0',
      'process_start_time 1.7e9',
    ].join('\n');
    expect(parsePrometheusText(text)).toEqual({
      fillmask_batches_total: 17,
      'fillmask_responses_total{status="200"}': 512,
      fillmask_queued_inputs: 0,
      process_start_time: 1.7e9,
    });
  });
});
