import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** One input and where it came from, for messages: `line 40` of a file, `input 2` of the TEXT arguments. */
export interface PlacedInput {
  readonly text: string;
  readonly place: string;
}

/** The lines of a file or of standard input (`-`), lazily, blank lines skipped. */
export async function* readInputLines(path: string, stdin: Readable): AsyncGenerator<string> {
  for await (const { text } of readPlacedInputLines(path, stdin)) yield text;
}

/** The lines of a file or of standard input (`-`), lazily, blank lines skipped, each with its line number. */
export async function* readPlacedInputLines(path: string, stdin: Readable): AsyncGenerator<PlacedInput> {
  const stream = path === '-' ? stdin : createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() !== '') yield { text: line, place: `line ${lineNumber}` };
  }
}

/** The TEXT arguments as inputs: `input 2` of several, `the input` when there is one. */
export async function* placedTexts(texts: readonly string[]): AsyncGenerator<PlacedInput> {
  for (const [index, text] of texts.entries()) yield { text, place: texts.length === 1 ? 'the input' : `input ${index + 1}` };
}
