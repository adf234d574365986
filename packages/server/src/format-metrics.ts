import type { FillMaskServerStats } from './fill-mask-server-stats.js';

/** The stats in Prometheus' text format, for `GET /metrics`. */
export function formatMetrics(stats: FillMaskServerStats): string {
  const lines: string[] = [];
  const metric = (name: string, type: 'counter' | 'gauge', help: string, samples: ReadonlyArray<[labels: string, value: number]>) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };
  metric('fillmask_requests_total', 'counter', 'Requests received.', [['', stats.requests]]);
  metric(
    'fillmask_responses_total',
    'counter',
    'Responses sent, by status code.',
    Object.entries(stats.responses).map(([status, count]) => [`{status="${status}"}`, count]),
  );
  metric(
    'fillmask_batches_total',
    'counter',
    'Calls to the library, each serving one or more requests (one per request with a model in this process, whose forward passes the requests share).',
    [['', stats.batches]],
  );
  metric('fillmask_batched_requests_total', 'counter', 'Requests served by those model calls.', [['', stats.batchedRequests]]);
  metric('fillmask_batched_inputs_total', 'counter', 'Inputs in those model calls.', [['', stats.batchedInputs]]);
  metric('fillmask_largest_batch_requests', 'gauge', 'The most requests one model call served.', [['', stats.largestBatchRequests]]);
  metric('fillmask_in_flight_requests', 'gauge', 'Requests being answered.', [['', stats.inFlightRequests]]);
  metric('fillmask_queued_inputs', 'gauge', 'Inputs waiting for a batch.', [['', stats.queuedInputs]]);
  metric('fillmask_forward_passes_total', 'counter', 'Forward passes of the model, shared by the requests waiting (a warm-up included).', [
    ['', stats.forwardPasses],
  ]);
  metric('fillmask_forward_pass_rows_total', 'counter', 'Inputs in those passes.', [['', stats.forwardPassRows]]);
  metric('fillmask_forward_pass_tokens_total', 'counter', 'Tokens of those inputs.', [['', stats.forwardPassTokens]]);
  metric('fillmask_forward_pass_padded_tokens_total', 'counter', 'Rows times longest row, summed over the passes (tokens plus padding).', [
    ['', stats.forwardPassPaddedTokens],
  ]);
  return `${lines.join('\n')}\n`;
}
