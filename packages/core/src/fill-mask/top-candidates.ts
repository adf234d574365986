import { expNonPositive } from './exp-non-positive.js';

/** A vocabulary id and its probability. */
export interface Candidate {
  readonly id: number;
  readonly score: number;
}

/**
 * Softmax and top-k over one row of logits in three tight passes over the row (maximum,
 * normaliser, ranking), without sorting the vocabulary or allocating per id: the k best are kept in
 * a min-heap, ties going to the lower id. Probabilities are over the whole row even when
 * `candidateIds` restricts the ranking. Separate loops are faster than one loop doing everything:
 * each stays small enough for V8 to optimise.
 */
export function topCandidates(
  logits: Float32Array,
  rowStart: number,
  rowLength: number,
  topK: number,
  candidateIds?: Int32Array,
): Candidate[] {
  const row = logits.subarray(rowStart, rowStart + rowLength);
  const max = rowMaximum(row);
  const sum = softmaxNormaliser(row, max);
  const heap = new CandidateHeap(Math.min(topK, candidateIds ? candidateIds.length : rowLength));
  if (candidateIds) {
    for (const id of candidateIds) heap.offer(id, row[id]);
  } else {
    // Ids arrive in ascending order, so a logit equal to the worst kept loses its tie: only a
    // strictly greater one needs the heap, which keeps the per-id work to a comparison.
    let threshold = heap.capacity === 0 ? Infinity : -Infinity;
    for (let id = 0; id < row.length; id++) {
      const logit = row[id];
      if (logit > threshold || heap.size < heap.capacity) {
        heap.offer(id, logit);
        if (heap.size === heap.capacity) threshold = heap.worstLogit();
      }
    }
  }
  return heap.drainDescending().map(({ id, logit }) => ({ id, score: Math.exp(logit - max) / sum }));
}

function rowMaximum(row: Float32Array): number {
  let max = -Infinity;
  for (let index = 0; index < row.length; index++) if (row[index] > max) max = row[index];
  return max;
}

/** Σ exp(logit - max), in float64. */
function softmaxNormaliser(row: Float32Array, max: number): number {
  let sum = 0;
  for (let index = 0; index < row.length; index++) sum += expNonPositive(row[index] - max);
  return sum;
}

/** Min-heap of the best `capacity` (id, logit) pairs seen; the root is the worst kept. */
class CandidateHeap {
  private readonly ids: Int32Array;
  private readonly logits: Float64Array;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ids = new Int32Array(capacity);
    this.logits = new Float64Array(capacity);
  }

  offer(id: number, logit: number): void {
    if (this.capacity === 0) return;
    if (this.count < this.capacity) {
      this.ids[this.count] = id;
      this.logits[this.count] = logit;
      this.siftUp(this.count++);
    } else if (this.better(id, logit, 0)) {
      this.ids[0] = id;
      this.logits[0] = logit;
      this.siftDown(0);
    }
  }

  get size(): number {
    return this.count;
  }

  /** The logit of the worst entry kept (the root); meaningful once the heap holds an entry. */
  worstLogit(): number {
    return this.logits[0];
  }

  drainDescending(): Array<{ id: number; logit: number }> {
    const entries = Array.from({ length: this.count }, (_, index) => ({ id: this.ids[index], logit: this.logits[index] }));
    return entries.sort((a, b) => b.logit - a.logit || a.id - b.id);
  }

  /** Whether (id, logit) ranks above the entry at `slot`. */
  private better(id: number, logit: number, slot: number): boolean {
    return logit > this.logits[slot] || (logit === this.logits[slot] && id < this.ids[slot]);
  }

  private siftUp(slot: number): void {
    while (slot > 0) {
      const parent = (slot - 1) >> 1;
      if (!this.better(this.ids[parent], this.logits[parent], slot)) break;
      this.swap(slot, parent);
      slot = parent;
    }
  }

  private siftDown(slot: number): void {
    for (;;) {
      const left = 2 * slot + 1;
      const right = left + 1;
      let worst = slot;
      if (left < this.count && !this.better(this.ids[left], this.logits[left], worst)) worst = left;
      if (right < this.count && !this.better(this.ids[right], this.logits[right], worst)) worst = right;
      if (worst === slot) return;
      this.swap(slot, worst);
      slot = worst;
    }
  }

  private swap(a: number, b: number): void {
    [this.ids[a], this.ids[b]] = [this.ids[b], this.ids[a]];
    [this.logits[a], this.logits[b]] = [this.logits[b], this.logits[a]];
  }
}
