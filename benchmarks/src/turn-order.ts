/**
 * The order in which contenders take their turns in each latency round: a shuffle seeded by the
 * round, so a run is repeatable and no contender always follows the same one. Whoever runs next
 * pays for what the previous one left behind (V8 collecting its garbage, its threads winding
 * down); a fixed cycle would charge one contender for the same neighbour every time.
 */
export function turnOrder<T>(items: readonly T[], seed: number, round: number): T[] {
  const random = mulberry32(Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ round);
  const order = [...items];
  for (let index = order.length - 1; index > 0; index--) {
    const other = Math.floor(random() * (index + 1));
    [order[index], order[other]] = [order[other], order[index]];
  }
  return order;
}

/** A small, well-mixed 32-bit generator: enough to shuffle a handful of names reproducibly. */
function mulberry32(state: number): () => number {
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 2 ** 32;
  };
}
