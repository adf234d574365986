import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { slowTokenizerFixturePath, type SlowTokenizerFixture } from '@fillmask/fixtures';
import type { ModelFiles } from '../../model-source/model-files.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';

/** One way of loading a fixture folder, and what Python's transformers made of it (`<name>.expected.json`). */
export interface SlowTokenizerVariant {
  readonly name: string;
  /** Files added (JSON value or text) or removed (null) before loading. */
  readonly files: Readonly<Record<string, unknown>>;
  readonly mask_lstrip?: boolean;
  readonly class: string;
  readonly mask_token: string;
  readonly mask_token_id: number;
  /** Python's tokenizer.json without the model's vocab and merges, Precompiled charsmaps as "sha256:<hex>". */
  readonly tokenizer: Record<string, unknown>;
  readonly vocab_size: number;
  readonly vocab_sha256: string;
  readonly merges_sha256?: string;
  readonly unigram_vocab?: Array<[string, number]>;
  readonly ids: number[][];
}

export interface SlowTokenizerExpectation {
  readonly inputs: string[];
  readonly variants: SlowTokenizerVariant[];
}

export function loadSlowTokenizerExpectation(name: SlowTokenizerFixture): SlowTokenizerExpectation {
  return JSON.parse(readFileSync(join(slowTokenizerFixturePath(name), `${name}.expected.json`), 'utf8')) as SlowTokenizerExpectation;
}

/**
 * The fixture folder as ModelFiles, with the variant's files added or removed; tokenizer.json is never
 * there. Reading a missing file rejects with ModelFileNotFoundError, as the real sources do.
 */
export function slowTokenizerFiles(name: SlowTokenizerFixture, overrides: Readonly<Record<string, unknown>> = {}): ModelFiles {
  const folder = slowTokenizerFixturePath(name);
  const location = `memory:${name}`;
  const content = (path: string): Uint8Array | null => {
    if (path in overrides) {
      const value = overrides[path];
      if (value === null) return null;
      return new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));
    }
    if (path.endsWith('.expected.json')) return null;
    return existsSync(join(folder, path)) ? readFileSync(join(folder, path)) : null;
  };
  return {
    location,
    read: async (path) => {
      const bytes = content(path);
      if (bytes === null) throw new ModelFileNotFoundError({ model: location, file: path });
      return bytes;
    },
    exists: async (path) => content(path) !== null,
  };
}

/** A JSON file of the variant's folder, or {} when it has none. */
export async function readJsonOrEmpty(files: ModelFiles, path: string): Promise<Record<string, unknown>> {
  if (!(await files.exists(path))) return {};
  return JSON.parse(new TextDecoder().decode(await files.read(path))) as Record<string, unknown>;
}

/** sha256 of lines joined by "\n", as the generator hashes vocabularies and merges. */
export function sha256Lines(lines: readonly string[]): string {
  return createHash('sha256').update(lines.join('\n'), 'utf8').digest('hex');
}

/**
 * tokenizer.json in the generator's shape: the model without vocab and merges, each Precompiled
 * charsmap replaced by its sha256.
 */
export function comparableTokenizerJson(tokenizerJson: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(tokenizerJson);
  const model = copy.model as Record<string, unknown>;
  delete model.vocab;
  delete model.merges;
  hashCharsmaps(copy.normalizer);
  return copy;
}

function hashCharsmaps(normalizer: unknown): void {
  if (typeof normalizer !== 'object' || normalizer === null) return;
  const fields = normalizer as Record<string, unknown>;
  if (fields.type === 'Precompiled' && typeof fields.precompiled_charsmap === 'string') {
    fields.precompiled_charsmap = `sha256:${createHash('sha256').update(fields.precompiled_charsmap, 'ascii').digest('hex')}`;
  }
  if (Array.isArray(fields.normalizers)) fields.normalizers.forEach(hashCharsmaps);
}
