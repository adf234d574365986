import type { Writable } from 'node:stream';

/** Draws `label [#####.....] done/total` on one terminal line, redrawn in place; without a total, the count alone. */
export interface ProgressBar {
  update(done: number): void;
  /**
   * Erases the bar, so that results written now to a terminal start on a clean line; the next
   * update draws it again, under them.
   */
  hide(): void;
  /** Ends the line so that later output starts on a fresh one. */
  finish(): void;
}

/** A bar on `stream` when it is a terminal, else one that draws nothing (pipes and logs stay clean). */
export function createProgressBar(
  stream: Writable & { isTTY?: boolean },
  label: string,
  total: number | undefined,
  enabled: boolean,
): ProgressBar {
  if (!enabled || !stream.isTTY) return { update: () => undefined, hide: () => undefined, finish: () => undefined };
  let drawn = false;
  let lastDrawn = -1;
  return {
    update(done) {
      if (done === lastDrawn) return;
      lastDrawn = done;
      drawn = true;
      stream.write(`\r${formatProgress(label, done, total)}\x1b[K`);
    },
    hide() {
      if (!drawn) return;
      stream.write('\r\x1b[K');
      drawn = false;
      lastDrawn = -1;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
}

export function formatProgress(label: string, done: number, total: number | undefined, width = 30): string {
  if (total === undefined || total === 0) return `${label} ${done}`;
  const filled = Math.min(width, Math.floor((done / total) * width));
  return `${label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} ${Math.floor((done / total) * 100)}%`;
}
