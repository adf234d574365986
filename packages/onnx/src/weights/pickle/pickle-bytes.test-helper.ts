/** Hand-written pickles for tests: each part is an opcode byte, a byte list, or text (UTF-8). */
export function pickleBytes(...parts: Array<number | readonly number[] | string | Uint8Array>): Uint8Array {
  const chunks: Uint8Array[] = parts.map((part) => {
    if (typeof part === 'number') return Uint8Array.of(part);
    if (typeof part === 'string') return new TextEncoder().encode(part);
    return Uint8Array.from(part);
  });
  const out = new Uint8Array(chunks.reduce((total, chunk) => total + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/** SHORT_BINUNICODE of `text`. */
export function shortUnicode(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  return pickleBytes(0x8c, [bytes.byteLength], bytes);
}

/** GLOBAL `module name` (protocol 2's form). */
export function globalOp(module: string, name: string): Uint8Array {
  return pickleBytes('c', `${module}\n${name}\n`);
}

/** STACK_GLOBAL of `module`.`name` (protocol 4's form). */
export function stackGlobal(module: string, name: string): Uint8Array {
  return pickleBytes(shortUnicode(module), shortUnicode(name), 0x93);
}

/** `module.name(argument)` as a pickle: what `pickle.loads` would call, via GLOBAL or STACK_GLOBAL. */
export function callPickle(module: string, name: string, argument: string, form: 'GLOBAL' | 'STACK_GLOBAL'): Uint8Array {
  return pickleBytes(
    0x80,
    [form === 'GLOBAL' ? 2 : 4],
    form === 'GLOBAL' ? globalOp(module, name) : stackGlobal(module, name),
    shortUnicode(argument),
    0x85, // TUPLE1
    'R', // REDUCE
    '.',
  );
}

/** BININT of `value` (a signed 32-bit integer). */
export function binInt(value: number): Uint8Array {
  return pickleBytes('J', new Uint8Array(new Int32Array([value]).buffer));
}

/** A tuple of the given pickled parts (MARK ... TUPLE). */
export function tupleOf(...parts: Uint8Array[]): Uint8Array {
  return pickleBytes('(', ...parts, 't');
}
