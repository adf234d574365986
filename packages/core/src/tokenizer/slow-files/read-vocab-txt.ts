/**
 * Reads a WordPiece `vocab.txt` (one token per line, the line number is the id) as the Rust
 * `tokenizers` WordPiece reader does, which is what transformers 5 hands the file to: lines split on
 * "\n", trailing white space (Unicode White_Space, "\r" included) trimmed from each, and a token
 * listed twice keeps its last line number. A BOM is kept as part of the first token, as Rust keeps it.
 * Invalid UTF-8 throws a TypeError.
 */
export function readVocabTxt(bytes: Uint8Array): Map<string, number> {
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  const lines = text.split('\n');
  // A final "\n" ends the last line; it does not start an empty one.
  if (lines[lines.length - 1] === '') lines.pop();
  const vocab = new Map<string, number>();
  lines.forEach((line, index) => {
    vocab.set(line.replace(trailingWhiteSpace, ''), index);
  });
  return vocab;
}

/** Rust's `char::is_whitespace` (the Unicode White_Space property), which `str::trim_end` removes. */
const trailingWhiteSpace = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/u;
