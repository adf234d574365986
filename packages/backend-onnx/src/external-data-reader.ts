import { closeSync, openSync, readSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { ExternalDataReader } from '@fillmask/onnx';
import { isBelowFolder } from './external-data-on-disk.js';

/**
 * Reads byte ranges of the external data in `folder`, as onnxruntime is told to find it, for the graph
 * edits that need the values of weights left there (the q8 batch variant sums int8 weights' columns,
 * the convolution rewrite transposes `[K, N]` fp32 matrices).
 * Synchronous, one range at a time, so no more than one matrix is held at once.
 */
export function externalDataReader(folder: string): ExternalDataReader {
  return (location, offset, length) => {
    const path = resolve(folder, location);
    if (isAbsolute(location) || !isBelowFolder(folder, path))
      throw new Error(`external data ${JSON.stringify(location)} is not inside ${folder}`);
    const descriptor = openSync(path, 'r');
    try {
      const bytes = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const read = readSync(descriptor, bytes, filled, length - filled, offset + filled);
        if (read === 0) throw new Error(`external data ${location} ends before byte ${offset + length}`);
        filled += read;
      }
      return bytes;
    } finally {
      closeSync(descriptor);
    }
  };
}
