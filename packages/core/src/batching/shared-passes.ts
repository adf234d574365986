import { fitsLimits, orderByLength, type BatchLimits } from './token-budget.js';
import { nextMacrotask } from './next-macrotask.js';

/** Forward passes run so far, and how full they were: `paddedTokens - tokens` is the padding. */
export interface PassCounters {
  /** Forward passes (model runs). */
  readonly passes: number;
  /** Inputs in those passes. */
  readonly rows: number;
  /** Their real tokens. */
  readonly tokens: number;
  /** Rows × longest row, summed over the passes: what the model computed. */
  readonly paddedTokens: number;
}

/** What one call hands the scheduler: its items, their lengths in tokens, and how to report. */
export interface SharedPassJob<Item> {
  readonly items: readonly Item[];
  readonly lengths: readonly number[];
  /** Rejects the call with the signal's reason and drops its items not yet in a pass. */
  readonly signal?: AbortSignal;
  /** After each pass that held some of this call's items. */
  readonly onProgress?: (completed: number, total: number) => void;
}

/** Runs one pass: one result per item, in order. A throw rejects every call with an item in it. */
export type RunPass<Item, Result> = (items: readonly Item[]) => Promise<Result[]>;

interface Entry<Item, Result> {
  readonly call: Call<Item, Result>;
  readonly index: number;
  readonly length: number;
  taken: boolean;
}

interface Call<Item, Result> {
  readonly id: number;
  readonly job: SharedPassJob<Item>;
  /** Its entries, shortest first (ties in input order); `next` is the first not yet taken, or past the end. */
  readonly byLength: Entry<Item, Result>[];
  next: number;
  readonly results: Result[];
  completed: number;
  settled: boolean;
  resolve(results: Result[]): void;
  reject(error: unknown): void;
  readonly onAbort: () => void;
}

/**
 * Forward passes shared by every call waiting on one model: continuous batching at the level of the
 * pass. Each call's inputs join one pool, kept in order of length; each pass is chosen when the model
 * is free, once the event loop has taken in what arrived meanwhile, so inputs that arrived while it ran
 * join the next pass, and each call is answered as soon as its own inputs are done (not when a batch
 * of others is).
 *
 * A pass starts from an anchor: the shortest waiting input of the calls in turn (round robin, so a
 * long call cannot hold back a short one for more than a pass), then grows to its neighbours in
 * length, to whichever side pads less, while rows × longest row stays within `maxBatchTokens` and
 * rows within `maxBatchSize`, and, when several calls wait, while an input pads at most
 * `maxPaddingShare` of the longest row. A call alone is cut exactly as `planBatches` cuts it: shortest first,
 * consecutive in length.
 */
export class SharedPasses<Item, Result> {
  private readonly counters = { passes: 0, rows: 0, tokens: 0, paddedTokens: 0 };
  /** Every call's entries, in order of (length, call, index); taken ones stay until compacted. */
  private pool: Entry<Item, Result>[] = [];
  private takenInPool = 0;
  /** The nearest untaken entry of the pool at or after / at or before a position, found in near-constant time. */
  private untakenAbove = new NearestFree(0);
  private untakenBelow = new NearestFree(0);
  /** Calls with entries not yet taken, in the order they anchor passes. */
  private readonly turns: Call<Item, Result>[] = [];
  /** Calls not settled yet, their inputs waiting or in the pass running now. */
  private readonly unsettled = new Set<Call<Item, Result>>();
  private nextCallId = 0;
  private running = false;

  constructor(
    private readonly limits: BatchLimits,
    private readonly runPass: RunPass<Item, Result>,
  ) {}

  /** The passes run so far (a live, read-only view). */
  get passCounters(): PassCounters {
    return this.counters;
  }

  /** Queues the job's items; resolves with one result per item, in order. */
  submit(job: SharedPassJob<Item>): Promise<Result[]> {
    job.signal?.throwIfAborted();
    if (job.items.length === 0) return Promise.resolve([]);
    return new Promise<Result[]>((resolve, reject) => {
      const call: Call<Item, Result> = {
        id: this.nextCallId++,
        job,
        byLength: [],
        next: 0,
        results: new Array(job.items.length),
        completed: 0,
        settled: false,
        resolve,
        reject,
        onAbort: () => this.fail(call, job.signal!.reason),
      };
      for (const index of orderByLength(job.lengths)) call.byLength.push({ call, index, length: job.lengths[index], taken: false });
      this.setPool(mergeByLength(this.pool, call.byLength));
      this.turns.push(call);
      this.unsettled.add(call);
      job.signal?.addEventListener('abort', call.onAbort, { once: true });
      if (!this.running) void this.drain();
    });
  }

  /** Rejects every call not answered yet (the model was disposed); a pass running now ends, its answers dropped. */
  rejectAll(error: unknown): void {
    for (const call of [...this.unsettled]) this.fail(call, error);
  }

  private async drain(): Promise<void> {
    this.running = true;
    try {
      for (;;) {
        // A forward pass may hold the thread (onnxruntime-node runs on it): read what arrived meanwhile
        // before choosing, so that it can join this pass.
        await nextMacrotask();
        const pass = this.choosePass();
        if (pass === undefined) break;
        await this.run(pass);
        // The anchor's call takes its next turn after the calls that arrived while its pass ran.
        const { call } = pass[0];
        if (firstWaiting(call) !== undefined && !this.turns.includes(call)) this.turns.push(call);
      }
    } finally {
      this.running = false;
    }
  }

  private async run(pass: Entry<Item, Result>[]): Promise<void> {
    let results: Result[];
    try {
      results = await this.runPass(pass.map((entry) => entry.call.job.items[entry.index]));
    } catch (error) {
      for (const call of new Set(pass.map((entry) => entry.call))) this.fail(call, error);
      return;
    }
    const calls = new Set<Call<Item, Result>>();
    pass.forEach((entry, row) => {
      if (entry.call.settled) return;
      entry.call.results[entry.index] = results[row];
      entry.call.completed++;
      calls.add(entry.call);
    });
    for (const call of calls) {
      try {
        call.job.onProgress?.(call.completed, call.job.items.length);
      } catch (error) {
        this.fail(call, error);
        continue;
      }
      if (!call.settled && call.completed === call.job.items.length) this.finish(call, () => call.resolve(call.results));
    }
  }

  /** The next pass, its entries marked taken; undefined when nothing waits. */
  private choosePass(): Entry<Item, Result>[] | undefined {
    const anchor = this.nextAnchor();
    if (anchor === undefined) return undefined;
    const pool = this.pool;
    const at = this.positionOf(anchor);
    const pass = [anchor];
    const positions = [at];
    let longest = anchor.length;
    let below = this.untaken(at - 1, -1);
    let above = this.untaken(at + 1, 1);
    // Calls alone are cut as planBatches cuts them; with others waiting, an input that would pad much
    // is left for a later pass, to which inputs nearer its length may come.
    const joins = (length: number) =>
      fitsLimits(pass.length, longest, length, this.limits) &&
      (this.unsettled.size === 1 || addedPadding(pass.length, longest, length) <= maxPaddingShare * Math.max(longest, length));
    for (;;) {
      const fitsAbove = above < pool.length && joins(pool[above].length);
      const fitsBelow = below >= 0 && joins(pool[below].length);
      if (!fitsAbove && !fitsBelow) break;
      // Padding each side adds: a longer input pads the rows already in; a shorter one pads itself.
      const goAbove = fitsAbove && (!fitsBelow || (pool[above].length - longest) * pass.length <= longest - pool[below].length);
      const position = goAbove ? above : below;
      pass.push(pool[position]);
      positions.push(position);
      longest = Math.max(longest, pool[position].length);
      if (goAbove) above = this.untaken(above + 1, 1);
      else below = this.untaken(below - 1, -1);
    }
    for (const position of positions) this.takeAt(position);
    if (this.takenInPool * 2 > pool.length) this.setPool(pool.filter((entry) => !entry.taken));
    this.counters.passes++;
    this.counters.rows += pass.length;
    this.counters.paddedTokens += pass.length * longest;
    for (const entry of pass) this.counters.tokens += entry.length;
    return pass;
  }

  /** The shortest untaken entry of the call whose turn it is; that call leaves the turns until its pass ends. */
  private nextAnchor(): Entry<Item, Result> | undefined {
    while (this.turns.length > 0) {
      const anchor = firstWaiting(this.turns.shift()!);
      if (anchor !== undefined) return anchor;
    }
    return undefined;
  }

  /** The first untaken entry from `start` on, stepping by `step`; -1 or the pool's length if none. */
  private untaken(start: number, step: 1 | -1): number {
    if (step === 1) return start >= this.pool.length ? this.pool.length : this.untakenAbove.find(start);
    // The downward finder counts from the top: position p is its index length - 1 - p.
    const last = this.pool.length - 1;
    return start < 0 ? -1 : last - this.untakenBelow.find(last - start);
  }

  /** Marks the entry at `position` of the pool taken. */
  private takeAt(position: number): void {
    const entry = this.pool[position];
    if (entry.taken) return;
    entry.taken = true;
    this.takenInPool++;
    this.untakenAbove.remove(position);
    this.untakenBelow.remove(this.pool.length - 1 - position);
  }

  private setPool(pool: Entry<Item, Result>[]): void {
    this.pool = pool;
    this.takenInPool = 0;
    this.untakenAbove = new NearestFree(pool.length);
    this.untakenBelow = new NearestFree(pool.length);
  }

  private positionOf(entry: Entry<Item, Result>): number {
    let low = 0;
    let high = this.pool.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (compareEntries(this.pool[middle], entry) < 0) low = middle + 1;
      else high = middle;
    }
    return low;
  }

  private fail(call: Call<Item, Result>, error: unknown): void {
    if (call.settled) return;
    for (const entry of call.byLength) if (!entry.taken) this.takeAt(this.positionOf(entry));
    this.finish(call, () => call.reject(error));
  }

  private finish(call: Call<Item, Result>, settle: () => void): void {
    call.settled = true;
    this.unsettled.delete(call);
    call.job.signal?.removeEventListener('abort', call.onAbort);
    const turn = this.turns.indexOf(call);
    if (turn >= 0) this.turns.splice(turn, 1);
    settle();
  }
}

/**
 * With several calls waiting, the most padding an input may add to a pass, as a share of its longest
 * row (a longer input pads every row already in; a shorter one pads itself). Past it the input waits
 * for a later pass: a pass of fewer rows costs a few tokens' worth more (benchmarks/batch-tokens),
 * padding its full length, and under load inputs of its length keep coming.
 */
export const maxPaddingShare = 1 / 4;

function addedPadding(rows: number, longest: number, length: number): number {
  return length > longest ? (length - longest) * rows : longest - length;
}

/** The call's shortest input not yet in a pass; undefined once all are, or the call is settled. */
function firstWaiting<Item, Result>(call: Call<Item, Result>): Entry<Item, Result> | undefined {
  while (call.next < call.byLength.length && call.byLength[call.next].taken) call.next++;
  return call.settled ? undefined : call.byLength[call.next];
}

function compareEntries<Item, Result>(a: Entry<Item, Result>, b: Entry<Item, Result>): number {
  return a.length - b.length || a.call.id - b.call.id || a.index - b.index;
}

/** The untaken entries of `pool` and all of `added` (each already in order), merged in order. */
function mergeByLength<Item, Result>(pool: readonly Entry<Item, Result>[], added: readonly Entry<Item, Result>[]): Entry<Item, Result>[] {
  const merged: Entry<Item, Result>[] = [];
  let i = 0;
  let j = 0;
  while (i < pool.length || j < added.length) {
    if (i < pool.length && pool[i].taken) {
      i++;
      continue;
    }
    if (j === added.length || (i < pool.length && compareEntries(pool[i], added[j]) <= 0)) merged.push(pool[i++]);
    else merged.push(added[j++]);
  }
  return merged;
}

/**
 * Positions 0..size-1, some removed: `find(i)` gives the first position at or after i not removed
 * (size if none). Union-find with path halving, so a long run of removed positions is skipped in
 * near-constant time: a call of many inputs is cut in time linear in its size.
 */
class NearestFree {
  private readonly next: Int32Array;

  constructor(size: number) {
    this.next = new Int32Array(size + 1).map((_, index) => index);
  }

  remove(position: number): void {
    this.next[position] = position + 1;
  }

  find(position: number): number {
    const next = this.next;
    let at = position;
    while (next[at] !== at) {
      next[at] = next[next[at]];
      at = next[at];
    }
    return at;
  }
}
