import { describe, expect, it } from 'vitest';
import { planBatches, type BatchLimits } from './token-budget.js';
import { SharedPasses } from './shared-passes.js';

/** Items are names; a pass answers each with its name and the pass's number, and is recorded. */
function recorder(limits: BatchLimits) {
  const passes: string[][] = [];
  let gate: Promise<void> = Promise.resolve();
  let release = () => {};
  const shared = new SharedPasses<string, string>(limits, async (items) => {
    passes.push([...items]);
    const number = passes.length;
    await gate;
    return items.map((item) => `${item}@${number}`);
  });
  return {
    shared,
    passes,
    /** Holds the next passes until `open`. */
    shut: () => (gate = new Promise((resolve) => (release = resolve))),
    open: () => release(),
    /** Resolves once `count` passes have started. */
    async untilPasses(count: number) {
      while (passes.length < count) await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

/** `count` lengths from `shortest` to `shortest + spread - 1`, spread out by a prime stride. */
const strideLengths = (count: number, shortest: number, spread: number) =>
  Array.from({ length: count }, (_, index) => shortest + ((index * 7919) % spread));

const job = (name: string, lengths: readonly number[]) => ({ items: lengths.map((_, index) => `${name}${index}`), lengths });

describe('SharedPasses', () => {
  it('chooses a pass once the event loop has read what arrived: calls made together share the first pass', async () => {
    const { shared, passes } = recorder({ maxBatchTokens: 40, maxBatchSize: 8 });
    await Promise.all([shared.submit(job('a', [4])), shared.submit(job('b', [4, 4]))]);
    expect(passes).toEqual([['a0', 'b0', 'b1']]);
  });

  it('cuts a call alone exactly as planBatches does, and answers in input order', async () => {
    for (const limits of [
      { maxBatchTokens: 64, maxBatchSize: 8 },
      { maxBatchTokens: 256, maxBatchSize: 32 },
      { maxBatchTokens: 10, maxBatchSize: 3 },
    ]) {
      const lengths = strideLengths(300, 2, 60);
      const { shared, passes } = recorder(limits);
      const results = await shared.submit(job('a', lengths));
      expect(passes).toEqual(planBatches(lengths, limits).map((batch) => batch.map((index) => `a${index}`)));
      expect(results.map((result) => result.split('@')[0])).toEqual(lengths.map((_, index) => `a${index}`));
    }
  });

  it('cuts a call of 200,000 inputs as planBatches does (the pool skips taken inputs in near-constant time)', async () => {
    const limits = { maxBatchTokens: 40, maxBatchSize: 4 };
    const lengths = strideLengths(200_000, 3, 30);
    const { shared, passes } = recorder(limits);
    await shared.submit(job('a', lengths));
    const planned = planBatches(lengths, limits);
    expect(passes.length).toBe(planned.length);
    expect(passes.map((pass) => pass.length)).toEqual(planned.map((batch) => batch.length));
    expect(shared.passCounters).toMatchObject({ passes: planned.length, rows: 200_000 });
  });

  it('inputs that arrive while a pass runs join the next one, by length, and each call is answered when its own inputs are', async () => {
    const { shared, passes, shut, open, untilPasses } = recorder({ maxBatchTokens: 40, maxBatchSize: 8 });
    shut();
    const first = shared.submit(job('a', [10]));
    await untilPasses(1);
    // While a0 runs: two calls, short and long inputs mixed.
    const second = shared.submit(job('b', [5, 20, 5]));
    const third = shared.submit(job('c', [20, 5]));
    open();
    expect(await first).toEqual(['a0@1']);
    expect(await second).toEqual(['b0@2', 'b1@3', 'b2@2']);
    expect(await third).toEqual(['c0@3', 'c1@2']);
    // b's shortest anchors the next pass: the short ones of both calls (3 × 5 ≤ 40); then c's turn: the long ones (2 × 20).
    expect(passes).toEqual([['a0'], ['b0', 'b2', 'c1'], ['c0', 'b1']]);
    expect(shared.passCounters).toEqual({ passes: 3, rows: 6, tokens: 10 + 5 + 20 + 5 + 20 + 5, paddedTokens: 10 + 3 * 5 + 2 * 20 });
  });

  it('takes turns between calls: a long call holds a short one back for one pass at most', async () => {
    const { shared, passes, shut, open, untilPasses } = recorder({ maxBatchTokens: 20, maxBatchSize: 2 });
    shut();
    const long = shared.submit(job('a', [10, 10, 10, 10, 10, 10]));
    await untilPasses(1);
    const short = shared.submit(job('b', [3]));
    const order: string[] = [];
    void long.then(() => order.push('a'));
    void short.then(() => order.push('b'));
    open();
    await Promise.all([long, short]);
    // a anchors the first pass; b, arrived while it ran, has the next turn: b0 alone (a's inputs would pad it by 7 of 10 tokens).
    expect(passes[0]).toEqual(['a0', 'a1']);
    expect(passes[1]).toEqual(['b0']);
    expect(order).toEqual(['b', 'a']);
  });

  it('grows a pass to the side that pads less', async () => {
    const { shared, passes, shut, open, untilPasses } = recorder({ maxBatchTokens: 30, maxBatchSize: 3 });
    shut();
    const first = shared.submit(job('x', [1]));
    await untilPasses(1);
    // The anchor (b0, 9 tokens) has an 8 below and a 12 above: the 8 pads 1, the 12 would pad 3; then
    // the 7 pads 2, where the 12 would pad 6 (over a quarter of its row).
    const calls = [shared.submit(job('b', [9])), shared.submit(job('c', [8, 12])), shared.submit(job('d', [7]))];
    open();
    await Promise.all([first, ...calls]);
    expect(passes[1]).toEqual(['b0', 'c0', 'd0']);
  });

  it('with other calls waiting, leaves an input that would pad a pass by over a quarter of its longest row for a later pass', async () => {
    const { shared, passes, shut, open, untilPasses } = recorder({ maxBatchTokens: 100, maxBatchSize: 8 });
    shut();
    const first = shared.submit(job('x', [1]));
    await untilPasses(1);
    const calls = [shared.submit(job('p', [10, 10])), shared.submit(job('q', [30]))];
    open();
    await Promise.all([first, ...calls]);
    // q0 would add 2 × 20 padding to p's pass: it runs on its own.
    expect(passes.slice(1)).toEqual([['p0', 'p1'], ['q0']]);
    // The same inputs in one call, alone: one pass, as planBatches cuts them (3 × 30 ≤ 100).
    const alone = recorder({ maxBatchTokens: 100, maxBatchSize: 8 });
    await alone.shared.submit(job('r', [10, 10, 30]));
    expect(alone.passes).toEqual([['r0', 'r1', 'r2']]);
  });

  it('an abort drops the call`s waiting inputs and rejects it with the reason; the others go on', async () => {
    const { shared, passes, shut, open, untilPasses } = recorder({ maxBatchTokens: 8, maxBatchSize: 1 });
    shut();
    const controller = new AbortController();
    const reason = new Error('enough');
    const aborted = shared.submit({ ...job('a', [1, 2, 3]), signal: controller.signal });
    await untilPasses(1);
    const other = shared.submit(job('b', [1]));
    controller.abort(reason);
    open();
    await expect(aborted).rejects.toBe(reason);
    expect(await other).toEqual(['b0@2']);
    // a0 was already running; a1 and a2 never ran.
    expect(passes).toEqual([['a0'], ['b0']]);
    const already = new AbortController();
    already.abort(reason);
    expect(() => shared.submit({ ...job('c', [1]), signal: already.signal })).toThrow(reason);
  });

  it('a failing pass rejects the calls in it, with their waiting inputs; the other calls still run', async () => {
    let run = 0;
    const failure = new Error('the model failed');
    const shared = new SharedPasses<string, string>({ maxBatchTokens: 4, maxBatchSize: 2 }, async (items) => {
      run++;
      if (items.includes('a0')) throw failure;
      return items.map((item) => `${item}!`);
    });
    const failed = shared.submit(job('a', [1, 1, 1, 1]));
    const fine = shared.submit(job('b', [3]));
    await expect(failed).rejects.toBe(failure);
    expect(await fine).toEqual(['b0!']);
    expect(run).toBe(2);
  });

  it('reports progress after each pass that held the call`s inputs; rejectAll rejects every call not answered yet', async () => {
    const { shared, shut, open, untilPasses } = recorder({ maxBatchTokens: 4, maxBatchSize: 2 });
    const progress: Array<[number, number]> = [];
    await shared.submit({ ...job('a', [1, 1, 1]), onProgress: (completed, total) => progress.push([completed, total]) });
    expect(progress).toEqual([
      [2, 3],
      [3, 3],
    ]);
    expect(await shared.submit({ items: [], lengths: [] })).toEqual([]);
    shut();
    const running = shared.submit(job('b', [1, 1]));
    const waiting = shared.submit(job('c', [1]));
    await untilPasses(3);
    const disposed = new Error('disposed');
    shared.rejectAll(disposed);
    open();
    // The pass running now ends, but its answers are not given: the model is gone.
    await expect(waiting).rejects.toBe(disposed);
    await expect(running).rejects.toBe(disposed);
  });
});
