import type { ExpectedBlob } from '../parse-revision-info.js';

/**
 * Undefined when the bytes are what the Hub announced (size, then SHA-256 or git blob SHA-1), else
 * what is wrong, for messages. Where Web Crypto is missing (a page that is not a secure context has no
 * `crypto.subtle`), only the size is checked.
 */
export async function checkBlobBytes(bytes: Uint8Array, expected: ExpectedBlob | undefined): Promise<string | undefined> {
  if (expected === undefined) return undefined;
  if (expected.size !== undefined && bytes.byteLength !== expected.size) {
    return `received ${bytes.byteLength} bytes where the Hub announced ${expected.size}`;
  }
  const subtle = globalThis.crypto?.subtle;
  if (expected.digest === undefined || subtle === undefined) return undefined;
  let input: Uint8Array = bytes;
  if (expected.digest.kind === 'git-blob-sha1') {
    const header = new TextEncoder().encode(`blob ${bytes.byteLength}\0`);
    input = new Uint8Array(header.byteLength + bytes.byteLength);
    input.set(header);
    input.set(bytes, header.byteLength);
  }
  const digest = await subtle.digest(expected.digest.kind === 'sha256' ? 'SHA-256' : 'SHA-1', input as Uint8Array<ArrayBuffer>);
  const hex = Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
  if (hex === expected.digest.hex) return undefined;
  const name = expected.digest.kind === 'sha256' ? 'SHA-256' : 'git blob SHA-1';
  return `its ${name} is ${hex}, the Hub announced ${expected.digest.hex}`;
}
