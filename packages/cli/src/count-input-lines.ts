import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/**
 * The number of lines `readInputLines` will yield from a file (blank lines skipped), for a progress
 * bar's total; undefined for standard input, which cannot be read twice.
 */
export async function countInputLines(path: string): Promise<number | undefined> {
  if (path === '-') return undefined;
  let count = 0;
  for await (const line of createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity })) {
    if (line.trim() !== '') count++;
  }
  return count;
}
