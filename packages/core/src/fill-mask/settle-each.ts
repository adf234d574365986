import { FillMaskError } from '../errors/fill-mask-error.js';

/** One input's outcome, in the shape of `Promise.allSettled`. */
export type Settled<Value> =
  | { readonly status: 'fulfilled'; readonly value: Value }
  | { readonly status: 'rejected'; readonly reason: Error };

/**
 * Prepares every input, keeping a fillmask error (no mask, too long, not a string) in that input's
 * own slot, runs the prepared ones together, and returns one outcome per input, in order. Any other
 * error is a bug or a failure of the whole call, and is thrown.
 */
export async function settleEach<Prepared, Value>(
  inputs: readonly unknown[],
  prepare: (input: unknown, inputIndex: number) => Prepared,
  run: (prepared: Prepared[]) => Promise<Value[]>,
): Promise<Settled<Value>[]> {
  const settled: Settled<Value>[] = new Array(inputs.length);
  const prepared: Prepared[] = [];
  const slots: number[] = [];
  inputs.forEach((input, inputIndex) => {
    try {
      prepared.push(prepare(input, inputIndex));
      slots.push(inputIndex);
    } catch (error) {
      if (!FillMaskError.isInstance(error)) throw error;
      settled[inputIndex] = { status: 'rejected', reason: error };
    }
  });
  for (const [index, value] of (await run(prepared)).entries()) settled[slots[index]] = { status: 'fulfilled', value };
  return settled;
}
