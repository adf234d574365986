/** Longest text a table shows whole, in characters: a longer one (a --truncation input) is cut. */
export const longestShownText = 160;

/** A text shortened for a table: its start and its end around `…`, with its length; a short text as it is. */
export function abbreviate(text: string, width = longestShownText): string {
  if (text.length <= width) return text;
  const head = Math.ceil((width - 1) / 2);
  const tail = width - 1 - head;
  return `${text.slice(0, head)}…${text.slice(text.length - tail)} (${text.length} characters)`;
}

/** The part of a text around `index` (where a token was filled in), `…` marking each cut; a short text as it is. */
export function excerptAround(text: string, index: number, width = longestShownText): string {
  if (text.length <= width) return text;
  const start = Math.max(0, Math.min(index - Math.floor(width / 2), text.length - width));
  return `${start > 0 ? '…' : ''}${text.slice(start, start + width)}${start + width < text.length ? '…' : ''}`;
}

/** Where two texts first differ: in two sequences of one mask, where the filled tokens are. */
export function firstDifference(a: string, b: string): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index++;
  return index;
}
