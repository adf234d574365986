import { open, stat } from 'node:fs/promises';
import { UsageError } from './usage-error.js';

/** Bytes read from the start of a file to tell text from binary data. */
const sniffedBytes = 64 * 1024;

/**
 * Checks --input-file before the model loads: a readable text file (or `-`, standard input). A missing
 * file, a folder, an unreadable file or binary data (a NUL byte, or bytes that are not UTF-8, in its
 * first 64 KB) or a file with no input (empty, or blank lines only) is a UsageError saying so, instead of a
 * system error, one "no mask" per line, or a run that prints nothing.
 */
export async function checkInputFile(file: string): Promise<void> {
  if (file === '-') return;
  const info = await stat(file).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') throw new UsageError(`--input-file: no such file: ${file}`);
    throw new UsageError(`--input-file: cannot read ${file} (${error.code ?? error.message}).`);
  });
  if (info.isDirectory()) {
    throw new UsageError(`--input-file: ${file} is a folder; give a text file with one input per line (or - for standard input).`);
  }
  let start: Uint8Array;
  try {
    const handle = await open(file, 'r');
    try {
      const { buffer, bytesRead } = await handle.read(Buffer.alloc(sniffedBytes), 0, sniffedBytes, 0);
      start = buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch (error) {
    throw new UsageError(`--input-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  if (!isUtf8Text(start)) {
    throw new UsageError(`--input-file: ${file} is not a text file (it holds binary data); give UTF-8 text, one input per line.`);
  }
  if (info.size <= sniffedBytes && new TextDecoder().decode(start).trim() === '') {
    throw new UsageError(`--input-file: ${file} has no inputs (it is empty or holds only blank lines); give one input per line.`);
  }
}

/** No NUL byte, and valid UTF-8 but for a character cut at the end of the sample. */
function isUtf8Text(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}
