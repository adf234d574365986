import { describe, expect, it } from 'vitest';
import { readMerges, readVocabJson } from './read-vocab-json-and-merges.js';

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readVocabJson', () => {
  it('reads token to id, skipping entries whose id is not a non-negative integer', () => {
    expect(Object.fromEntries(readVocabJson(bytes('{"<s>": 0, "Ġthe": 5, "__proto__": 7, "x": "1", "y": -1, "z": 1.5}')))).toEqual({
      '<s>': 0,
      Ġthe: 5,
      ['__proto__']: 7,
    });
  });

  it('rejects what is not a JSON object', () => {
    expect(() => readVocabJson(bytes('["a"]'))).toThrow(SyntaxError);
    expect(() => readVocabJson(bytes('{"a": '))).toThrow(SyntaxError);
  });
});

describe('readMerges', () => {
  it('reads one merge per line, skipping #version and empty lines and a "\\r" before the "\\n"', () => {
    expect(readMerges(bytes('#version: 0.2\nĠ t\r\nh e\n\n'))).toEqual([
      ['Ġ', 't'],
      ['h', 'e'],
    ]);
  });

  it('rejects a line that is not two tokens separated by one space, naming its number', () => {
    expect(() => readMerges(bytes('#version: 0.2\na b\na  b\n'))).toThrow(/line 3 is not two tokens/);
    expect(() => readMerges(bytes('ab\n'))).toThrow(SyntaxError);
  });
});
