/**
 * The pickle opcodes, by byte (CPython's Lib/pickletools.py names them). The restricted unpickler
 * implements the binary ones protocols 2 to 5 write for plain data; the names of the others are here
 * only so that its errors can say which opcode a file used.
 */
export const Op = {
  // Protocol and framing.
  PROTO: 0x80,
  FRAME: 0x95,
  STOP: 0x2e, // '.'
  // Stack and mark.
  MARK: 0x28, // '('
  POP: 0x30, // '0'
  POP_MARK: 0x31, // '1'
  DUP: 0x32, // '2'
  // Memo.
  BINPUT: 0x71, // 'q'
  LONG_BINPUT: 0x72, // 'r'
  MEMOIZE: 0x94,
  BINGET: 0x68, // 'h'
  LONG_BINGET: 0x6a, // 'j'
  // Constants and numbers.
  NONE: 0x4e, // 'N'
  NEWTRUE: 0x88,
  NEWFALSE: 0x89,
  BININT: 0x4a, // 'J'
  BININT1: 0x4b, // 'K'
  BININT2: 0x4d, // 'M'
  LONG1: 0x8a,
  LONG4: 0x8b,
  BINFLOAT: 0x47, // 'G'
  // Strings and bytes.
  BINUNICODE: 0x58, // 'X'
  SHORT_BINUNICODE: 0x8c,
  BINUNICODE8: 0x8d,
  BINSTRING: 0x54, // 'T' (Python 2 str)
  SHORT_BINSTRING: 0x55, // 'U' (Python 2 str)
  BINBYTES: 0x42, // 'B'
  SHORT_BINBYTES: 0x43, // 'C'
  BINBYTES8: 0x8e,
  BYTEARRAY8: 0x96,
  // Containers.
  EMPTY_TUPLE: 0x29, // ')'
  TUPLE: 0x74, // 't'
  TUPLE1: 0x85,
  TUPLE2: 0x86,
  TUPLE3: 0x87,
  EMPTY_LIST: 0x5d, // ']'
  LIST: 0x6c, // 'l'
  APPEND: 0x61, // 'a'
  APPENDS: 0x65, // 'e'
  EMPTY_DICT: 0x7d, // '}'
  DICT: 0x64, // 'd'
  SETITEM: 0x73, // 's'
  SETITEMS: 0x75, // 'u'
  EMPTY_SET: 0x8f,
  ADDITEMS: 0x90,
  FROZENSET: 0x91,
  // Objects: all of them go through the allow-list of globals.
  GLOBAL: 0x63, // 'c'
  STACK_GLOBAL: 0x93,
  REDUCE: 0x52, // 'R'
  BUILD: 0x62, // 'b'
  NEWOBJ: 0x81,
  NEWOBJ_EX: 0x92,
  BINPERSID: 0x51, // 'Q'
} as const;

/** Opcodes this unpickler refuses although pickle defines them: text-protocol forms, old-style instances, extension registry, out-of-band buffers. */
const refusedOpcodes: Readonly<Record<number, string>> = {
  73: 'INT',
  76: 'LONG',
  83: 'STRING',
  86: 'UNICODE',
  70: 'FLOAT',
  80: 'PERSID',
  103: 'GET',
  112: 'PUT',
  105: 'INST',
  111: 'OBJ',
  130: 'EXT1',
  131: 'EXT2',
  132: 'EXT4',
  151: 'NEXT_BUFFER',
  152: 'READONLY_BUFFER',
};

const namesByCode = new Map<number, string>([
  ...Object.entries(Op).map(([name, code]): [number, string] => [code, name]),
  ...Object.entries(refusedOpcodes).map(([code, name]): [number, string] => [Number(code), name]),
]);

/** How errors name an opcode: `REDUCE (0x52)`, or `0xff` for a byte pickle does not define. */
export function describeOpcode(code: number): string {
  const hex = `0x${code.toString(16).padStart(2, '0')}`;
  const name = namesByCode.get(code);
  return name === undefined ? `${hex} (no pickle opcode)` : `${name} (${hex})`;
}
