/** One way of cutting a call's inputs into forward passes, as the sweep compares them. */
export interface BatchSetting {
  readonly label: string;
  readonly batchSize: number;
  readonly maxBatchTokens: number;
}

/** No token budget: passes of `batchSize` inputs whatever their length, as fillmask batched before budgets. */
const unbounded = Number.MAX_SAFE_INTEGER;

/** The settings a sweep times: a row count alone (the old way), then each budget with a row cap that never binds first. */
export function batchSettings(budgets: readonly number[], countOnly: number): BatchSetting[] {
  return [
    { label: `${countOnly} inputs, no budget`, batchSize: countOnly, maxBatchTokens: unbounded },
    ...budgets.map((tokens) => ({ label: `${tokens} tokens`, batchSize: 1024, maxBatchTokens: tokens })),
  ];
}
