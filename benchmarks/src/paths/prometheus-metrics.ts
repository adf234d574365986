/**
 * The samples of a Prometheus text exposition (`GET /metrics`), by name with their labels as
 * written (`fillmask_responses_total{status="200"}`); comments and blank lines skipped.
 */
export function parsePrometheusText(text: string): Record<string, number> {
  const samples: Record<string, number> = {};
  for (const line of text.split('\n')) {
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?)\s+(\S+)/.exec(line.trim());
    if (sample !== null && !line.startsWith('#')) samples[sample[1]] = Number(sample[2]);
  }
  return samples;
}
