/**
 * Reads a byte-level BPE's `vocab.json` and `merges.txt` as the Rust `tokenizers` BPE reader does
 * (transformers 5 hands it the files): the vocabulary is a JSON object of token to id (entries whose
 * id is not a non-negative integer are skipped); merges.txt has one merge per line, the two parts
 * separated by one space, and `#version` lines are skipped. Rust rejects any other line; empty lines
 * (a file ending in a blank line) are skipped here. Malformed files throw a SyntaxError.
 */
export function readVocabJson(bytes: Uint8Array): Map<string, number> {
  const parsed: unknown = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SyntaxError('vocab.json is not a JSON object of token to id');
  }
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(parsed)) {
    if (typeof id === 'number' && Number.isInteger(id) && id >= 0) vocab.set(token, id);
  }
  return vocab;
}

export function readMerges(bytes: Uint8Array): Array<[string, string]> {
  const lines = new TextDecoder('utf-8', { fatal: true }).decode(bytes).split('\n');
  const merges: Array<[string, string]> = [];
  lines.forEach((rawLine, index) => {
    const line = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    if (line === '' || line.startsWith('#version')) return;
    const parts = line.split(' ');
    if (parts.length !== 2)
      throw new SyntaxError(`merges.txt line ${index + 1} is not two tokens separated by one space: ${JSON.stringify(line)}`);
    merges.push([parts[0], parts[1]]);
  });
  return merges;
}
