import { describe, expect, it } from 'vitest';
import { readVocabTxt } from './read-vocab-txt.js';

const read = (text: string) => Object.fromEntries(readVocabTxt(new TextEncoder().encode(text)));

describe('readVocabTxt', () => {
  it('gives each line its line number as id', () => {
    expect(read('[PAD]\n[UNK]\n##s\n')).toEqual({ '[PAD]': 0, '[UNK]': 1, '##s': 2 });
    expect(read('a\nb')).toEqual({ a: 0, b: 1 });
  });

  // The same as Python's transformers 5, which hands the file to the Rust WordPiece reader
  // (checked: {'[PAD]': 0, ..., 'bar': 6, 'foo': 7, '': 8, 'baz': 9, 'q': 10, '##x': 11}).
  it('trims trailing white space and "\\r" as Rust does, and keeps the last line of a repeated token', () => {
    expect(read('[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nfoo \r\nbar\r\nfoo\n\nbaz\t\nq\u00a0\n##x\n')).toEqual({
      '[PAD]': 0,
      '[UNK]': 1,
      '[CLS]': 2,
      '[SEP]': 3,
      '[MASK]': 4,
      bar: 6,
      foo: 7,
      '': 8,
      baz: 9,
      q: 10,
      '##x': 11,
    });
  });

  it('keeps leading white space and a BOM, and rejects invalid UTF-8', () => {
    expect(read(' a\n\ufeffb\n')).toEqual({ ' a': 0, '\ufeffb': 1 });
    expect(() => readVocabTxt(new Uint8Array([0x61, 0xff, 0x0a]))).toThrow(TypeError);
  });
});
