import { dataViewOf, readUint64 } from '../little-endian.js';
import { invalidWeightFile, type WeightFileRef } from '../weight-file.js';
import { describeOpcode, Op } from './pickle-opcodes.js';

/** Builds the error an unpickling step throws; the unpickler adds where in the pickle it happened. */
export type PickleFail = (reason: string) => Error;

/**
 * Everything in a pickle that is not plain data goes through these: the unpickler itself never
 * imports, calls or instantiates anything. A caller allows a few globals by returning a marker value
 * from `findGlobal` and gives meaning to REDUCE, NEWOBJ and BUILD on those markers only, as data
 * constructors. Each method throws (with `fail`) to refuse.
 */
export interface PickleGlobals {
  /** The value GLOBAL and STACK_GLOBAL push for `module.name`. */
  findGlobal(module: string, name: string, fail: PickleFail): unknown;
  /** REDUCE: what `callable(*args)` would return, for a `callable` that findGlobal returned. */
  reduce(callable: unknown, args: readonly unknown[], fail: PickleFail): unknown;
  /** NEWOBJ and NEWOBJ_EX (without keyword arguments): what `cls.__new__(cls, *args)` would return. */
  newObject(cls: unknown, args: readonly unknown[], fail: PickleFail): unknown;
  /** BUILD: `object.__setstate__(state)`; returns the object that stays on the stack. */
  build(object: unknown, state: unknown, fail: PickleFail): unknown;
  /** BINPERSID: the object a persistent id stands for (torch's storages). */
  persistentLoad(pid: unknown, fail: PickleFail): unknown;
}

/** The value of one pickle and the byte after its STOP (where the next pickle of a stream starts). */
export interface Unpickled {
  readonly value: unknown;
  readonly end: number;
}

/** Integers beyond this many bytes (LONG1/LONG4) are refused: no state dict needs one, and a huge one only costs time. */
const maxLongBytes = 1024;
const maxProtocol = 5;

/**
 * Reads the pickle that starts at `start` in `bytes`, with the binary opcodes of protocols 2 to 5
 * (and protocol 1's binary forms), into plain JS values: None -> null, bool, int -> number (bigint
 * beyond 2^53), float -> number, str -> string, bytes -> Uint8Array (a view), tuple -> a frozen
 * array, list -> array, dict -> Map, set and frozenset -> Set. Globals, REDUCE, NEWOBJ, BUILD and
 * persistent ids go through `globals`. Any other opcode, a truncated pickle, a stack or memo
 * misuse throws InvalidModelFileError naming `where`, the opcode and its byte offset; the loop
 * consumes at least one byte per opcode, so it always ends.
 */
export function unpickle(bytes: Uint8Array, start: number, globals: PickleGlobals, where: WeightFileRef): Unpickled {
  return new Unpickler(bytes, start, globals, where).run();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

class Unpickler {
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  readonly #globals: PickleGlobals;
  readonly #where: WeightFileRef;
  #position: number;
  /** The byte offset and code of the opcode being run, for errors. */
  #opcodeAt = 0;
  #opcode = 0;
  #stack: unknown[] = [];
  /** Stack lengths at each MARK not yet consumed. */
  readonly #marks: number[] = [];
  readonly #memo = new Map<number, unknown>();

  constructor(bytes: Uint8Array, start: number, globals: PickleGlobals, where: WeightFileRef) {
    this.#bytes = bytes;
    this.#view = dataViewOf(bytes);
    this.#globals = globals;
    this.#where = where;
    this.#position = start;
  }

  /** Errors name the file, the opcode and where it is. */
  readonly #fail: PickleFail = (reason) =>
    invalidWeightFile(
      this.#where,
      `its pickle is invalid or refused at byte ${this.#opcodeAt} (opcode ${describeOpcode(this.#opcode)}): ${reason}`,
    );

  run(): Unpickled {
    for (;;) {
      if (this.#position >= this.#bytes.byteLength) {
        this.#opcodeAt = this.#position;
        throw invalidWeightFile(this.#where, `its pickle ends at byte ${this.#position} without a STOP opcode: the file is truncated.`);
      }
      this.#opcodeAt = this.#position;
      this.#opcode = this.#bytes[this.#position++];
      if (this.#opcode === Op.STOP) {
        if (this.#stack.length !== 1 || this.#marks.length !== 0) {
          throw this.#fail(
            `STOP with ${this.#stack.length} values and ${this.#marks.length} open marks on the stack instead of one value.`,
          );
        }
        return { value: this.#stack[0], end: this.#position };
      }
      this.#step(this.#opcode);
    }
  }

  #step(opcode: number) {
    switch (opcode) {
      case Op.PROTO: {
        const protocol = this.#uint8();
        if (protocol > maxProtocol) throw this.#fail(`pickle protocol ${protocol}; protocols up to ${maxProtocol} are read.`);
        return;
      }
      case Op.FRAME: {
        // Frames only tell a streaming reader how much to buffer; the whole file is in memory already.
        const length = this.#uint64();
        if (length > this.#remaining())
          throw this.#fail(`a frame of ${length} bytes but only ${this.#remaining()} remain: the file is truncated.`);
        return;
      }
      case Op.MARK:
        this.#marks.push(this.#stack.length);
        return;
      case Op.POP:
        if (this.#stack.length > this.#topMark()) this.#pop();
        else this.#popMark();
        return;
      case Op.POP_MARK:
        this.#popMark();
        return;
      case Op.DUP:
        this.#push(this.#top());
        return;

      case Op.BINPUT:
        return this.#memoize(this.#uint8());
      case Op.LONG_BINPUT:
        return this.#memoize(this.#uint32());
      case Op.MEMOIZE:
        return this.#memoize(this.#memo.size);
      case Op.BINGET:
        return this.#recall(this.#uint8());
      case Op.LONG_BINGET:
        return this.#recall(this.#uint32());

      case Op.NONE:
        return this.#push(null);
      case Op.NEWTRUE:
        return this.#push(true);
      case Op.NEWFALSE:
        return this.#push(false);
      case Op.BININT:
        return this.#push(this.#view.getInt32(this.#take(4), true));
      case Op.BININT1:
        return this.#push(this.#uint8());
      case Op.BININT2:
        return this.#push(this.#view.getUint16(this.#take(2), true));
      case Op.LONG1:
        return this.#push(this.#long(this.#uint8()));
      case Op.LONG4: {
        const length = this.#view.getInt32(this.#take(4), true);
        if (length < 0) throw this.#fail(`a LONG4 of negative length ${length}.`);
        return this.#push(this.#long(length));
      }
      case Op.BINFLOAT:
        return this.#push(this.#view.getFloat64(this.#take(8), false));

      case Op.BINUNICODE:
        return this.#push(this.#text(this.#uint32()));
      case Op.SHORT_BINUNICODE:
        return this.#push(this.#text(this.#uint8()));
      case Op.BINUNICODE8:
        return this.#push(this.#text(this.#uint64()));
      case Op.BINSTRING: {
        const length = this.#view.getInt32(this.#take(4), true);
        if (length < 0) throw this.#fail(`a BINSTRING of negative length ${length}.`);
        return this.#push(this.#text(length));
      }
      case Op.SHORT_BINSTRING:
        return this.#push(this.#text(this.#uint8()));
      case Op.BINBYTES:
        return this.#push(this.#slice(this.#uint32()));
      case Op.SHORT_BINBYTES:
        return this.#push(this.#slice(this.#uint8()));
      case Op.BINBYTES8:
        return this.#push(this.#slice(this.#uint64()));
      case Op.BYTEARRAY8:
        return this.#push(this.#slice(this.#uint64()).slice());

      case Op.EMPTY_TUPLE:
        return this.#push(Object.freeze([]));
      case Op.TUPLE:
        return this.#push(Object.freeze(this.#popMark()));
      case Op.TUPLE1:
        return this.#push(Object.freeze(this.#popItems(1)));
      case Op.TUPLE2:
        return this.#push(Object.freeze(this.#popItems(2)));
      case Op.TUPLE3:
        return this.#push(Object.freeze(this.#popItems(3)));
      case Op.EMPTY_LIST:
        return this.#push([]);
      case Op.LIST:
        return this.#push(this.#popMark());
      case Op.APPEND:
        return this.#append(this.#popItems(1));
      case Op.APPENDS:
        return this.#append(this.#popMark());
      case Op.EMPTY_DICT:
        return this.#push(new Map());
      case Op.DICT: {
        const dict = new Map();
        this.#setItems(dict, this.#popMark());
        return this.#push(dict);
      }
      case Op.SETITEM: {
        const items = this.#popItems(2);
        return this.#setItems(this.#top(), items);
      }
      case Op.SETITEMS: {
        const items = this.#popMark();
        return this.#setItems(this.#top(), items);
      }
      case Op.EMPTY_SET:
        return this.#push(new Set());
      case Op.ADDITEMS: {
        const items = this.#popMark();
        const set = this.#top();
        if (!(set instanceof Set)) throw this.#fail(`ADDITEMS onto ${describeValue(set)}, not a set.`);
        for (const item of items) set.add(item);
        return;
      }
      case Op.FROZENSET:
        return this.#push(new Set(this.#popMark()));

      case Op.GLOBAL: {
        const module = this.#line();
        const name = this.#line();
        return this.#push(this.#globals.findGlobal(module, name, this.#fail));
      }
      case Op.STACK_GLOBAL: {
        const [module, name] = this.#popItems(2);
        if (typeof module !== 'string' || typeof name !== 'string') {
          throw this.#fail(`STACK_GLOBAL needs a module and a name as strings, got ${describeValue(module)} and ${describeValue(name)}.`);
        }
        return this.#push(this.#globals.findGlobal(module, name, this.#fail));
      }
      case Op.REDUCE: {
        const [callable, args] = this.#popItems(2);
        return this.#push(this.#globals.reduce(callable, this.#tuple(args, 'REDUCE arguments'), this.#fail));
      }
      case Op.NEWOBJ: {
        const [cls, args] = this.#popItems(2);
        return this.#push(this.#globals.newObject(cls, this.#tuple(args, 'NEWOBJ arguments'), this.#fail));
      }
      case Op.NEWOBJ_EX: {
        const [cls, args, keywords] = this.#popItems(3);
        if (!(keywords instanceof Map) || keywords.size !== 0)
          throw this.#fail(`NEWOBJ_EX with keyword arguments ${describeValue(keywords)}.`);
        return this.#push(this.#globals.newObject(cls, this.#tuple(args, 'NEWOBJ_EX arguments'), this.#fail));
      }
      case Op.BUILD: {
        const [object, state] = this.#popItems(2);
        return this.#push(this.#globals.build(object, state, this.#fail));
      }
      case Op.BINPERSID:
        return this.#push(this.#globals.persistentLoad(this.#pop(), this.#fail));

      default:
        throw this.#fail('this unpickler does not run it; it reads only the opcodes that rebuild plain data and allow-listed globals.');
    }
  }

  // Reading the operands.

  #remaining(): number {
    return this.#bytes.byteLength - this.#position;
  }

  /** Advances past `length` operand bytes and returns where they start. */
  #take(length: number): number {
    if (length > this.#remaining()) {
      throw this.#fail(`it needs ${length} more bytes but the pickle has ${this.#remaining()}: the file is truncated.`);
    }
    const at = this.#position;
    this.#position += length;
    return at;
  }

  #uint8(): number {
    return this.#bytes[this.#take(1)];
  }

  #uint32(): number {
    return this.#view.getUint32(this.#take(4), true);
  }

  #uint64(): number {
    return readUint64(this.#view, this.#take(8));
  }

  #slice(length: number): Uint8Array {
    const at = this.#take(length);
    return this.#bytes.subarray(at, at + length);
  }

  #text(length: number): string {
    try {
      return utf8.decode(this.#slice(length));
    } catch (error) {
      if (error instanceof TypeError) throw this.#fail('a string that is not valid UTF-8.');
      throw error;
    }
  }

  /** A GLOBAL operand: text up to a newline. */
  #line(): string {
    const newline = this.#bytes.indexOf(0x0a, this.#position);
    if (newline < 0) throw this.#fail('a GLOBAL name without its closing newline: the file is truncated.');
    return this.#text(newline - this.#position + 1).slice(0, -1);
  }

  /** A little-endian two's-complement integer of `length` bytes: a number when exact, else a bigint. */
  #long(length: number): number | bigint {
    if (length > maxLongBytes) throw this.#fail(`an integer of ${length} bytes; at most ${maxLongBytes} are read.`);
    const digits = this.#slice(length);
    if (length === 0) return 0;
    let hex = '';
    for (let index = length - 1; index >= 0; index--) hex += digits[index].toString(16).padStart(2, '0');
    let value = BigInt(`0x${hex}`);
    if (digits[length - 1] & 0x80) value -= 1n << BigInt(8 * length);
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
  }

  // The stack, its marks and the memo.

  #push(value: unknown): void {
    this.#stack.push(value);
  }

  #topMark(): number {
    return this.#marks.length === 0 ? 0 : this.#marks[this.#marks.length - 1];
  }

  #pop(): unknown {
    if (this.#stack.length <= this.#topMark()) throw this.#fail('it pops from an empty stack (or across a MARK).');
    return this.#stack.pop();
  }

  #top(): unknown {
    if (this.#stack.length <= this.#topMark()) throw this.#fail('it reads the top of an empty stack (or across a MARK).');
    return this.#stack[this.#stack.length - 1];
  }

  /** The top `count` values, in push order. */
  #popItems(count: number): unknown[] {
    if (this.#stack.length - this.#topMark() < count) throw this.#fail(`it needs ${count} values on the stack above the last MARK.`);
    return this.#stack.splice(this.#stack.length - count, count);
  }

  /** The values pushed since the last MARK, which it removes. */
  #popMark(): unknown[] {
    const mark = this.#marks.pop();
    if (mark === undefined) throw this.#fail('it needs a MARK and there is none.');
    return this.#stack.splice(mark);
  }

  #memoize(index: number): void {
    this.#memo.set(index, this.#top());
  }

  #recall(index: number): void {
    if (!this.#memo.has(index)) throw this.#fail(`it reads memo entry ${index}, which was never stored.`);
    this.#push(this.#memo.get(index));
  }

  #tuple(value: unknown, what: string): readonly unknown[] {
    if (!Array.isArray(value) || !Object.isFrozen(value)) throw this.#fail(`${what} must be a tuple, got ${describeValue(value)}.`);
    return value;
  }

  #append(items: readonly unknown[]): void {
    const list = this.#top();
    if (!Array.isArray(list) || Object.isFrozen(list)) throw this.#fail(`it appends to ${describeValue(list)}, not a list.`);
    for (const item of items) list.push(item);
  }

  #setItems(dict: unknown, items: readonly unknown[]): void {
    if (!(dict instanceof Map)) throw this.#fail(`it sets items on ${describeValue(dict)}, not a dict.`);
    if (items.length % 2 !== 0) throw this.#fail(`it sets items from an odd number (${items.length}) of keys and values.`);
    for (let index = 0; index < items.length; index += 2) dict.set(items[index], items[index + 1]);
  }
}

/** A short description of an unpickled value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return 'None';
  if (value === undefined) return 'nothing';
  if (typeof value === 'string') return value.length > 60 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') return `${typeof value} ${String(value)}`;
  if (Array.isArray(value)) return `${Object.isFrozen(value) ? 'a tuple' : 'a list'} of ${value.length}`;
  if (value instanceof Map) return `a dict of ${value.size}`;
  if (value instanceof Set) return `a set of ${value.size}`;
  if (value instanceof Uint8Array) return `${value.byteLength} bytes`;
  const description = (value as { describe?: () => string }).describe;
  return typeof description === 'function' ? description.call(value) : typeof value;
}
