/**
 * Lines read ahead before a command hands them to the library, which sorts them by length and cuts
 * them into passes by its token budget: the more lines it sees at once, the less padding. Output
 * stays in input order, a window at a time, and memory stays bounded by the window.
 */
export const readAheadLines = 2048;

/** How long a window waits for the next line before it goes with what it has (input typed or piped slowly). */
export const readAheadIdleMs = 100;

/**
 * Groups an async sequence into windows of at most `size` items. A window also ends when the next
 * item takes longer than `idleMs` to come, so a slow producer (a person typing into standard input,
 * a pipe fed line by line) gets its answers as it goes instead of after `size` lines.
 */
export async function* readAhead<T>(items: AsyncIterable<T>, size: number, idleMs = readAheadIdleMs): AsyncGenerator<T[]> {
  const iterator = items[Symbol.asyncIterator]();
  let window: T[] = [];
  // The read in flight: one is left waiting only when a window went for want of lines.
  let pending: Promise<IteratorResult<T>> | undefined;
  try {
    while (true) {
      pending ??= iterator.next();
      const result = window.length === 0 ? await pending : await resultWithin(pending, idleMs);
      if (result === 'idle') {
        yield window;
        window = [];
        continue;
      }
      pending = undefined;
      if (result.done) {
        if (window.length > 0) yield window;
        return;
      }
      window.push(result.value);
      if (window.length === size) {
        yield window;
        window = [];
      }
    }
  } finally {
    // A consumer that stops early (a table's first failure) closes the input; with a read still
    // waiting for a line, not waiting for that line.
    if (pending === undefined) await iterator.return?.();
    else void iterator.return?.();
  }
}

async function resultWithin<T>(pending: Promise<T>, ms: number): Promise<T | 'idle'> {
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<'idle'>((resolve) => {
    timer = setTimeout(() => resolve('idle'), ms);
  });
  try {
    return await Promise.race([pending, idle]);
  } finally {
    clearTimeout(timer);
  }
}
