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
  metric('fillmask_batches_total', 'counter', 'Model calls, each serving one or more requests.', [['', stats.batches]]);
  metric('fillmask_batched_requests_total', 'counter', 'Requests served by those model calls.', [['', stats.batchedRequests]]);
  metric('fillmask_batched_inputs_total', 'counter', 'Inputs in those model calls.', [['', stats.batchedInputs]]);
  metric('fillmask_largest_batch_requests', 'gauge', 'The most requests one model call served.', [['', stats.largestBatchRequests]]);
  metric('fillmask_in_flight_requests', 'gauge', 'Requests being answered.', [['', stats.inFlightRequests]]);
  metric('fillmask_queued_inputs', 'gauge', 'Inputs waiting for a batch.', [['', stats.queuedInputs]]);
  return `${lines.join('\n')}\n`;
}
