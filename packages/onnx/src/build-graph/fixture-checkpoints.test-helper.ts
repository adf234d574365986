import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ModelConfig } from '@fillmask/core';
import type { ModelWeights, WeightDtype, WeightTensor } from '../weights/model-weights.js';

/** The checkpoints `__fixtures__/make_fixtures.py` writes, one folder each. */
export const fixtureArchitectures = [
  'bert',
  'bert-untied',
  'roberta',
  'xlm-roberta',
  'camembert',
  'distilbert',
  'albert',
  'electra',
  'deberta-v3',
  'deberta-v2',
  'modernbert',
] as const;
export type FixtureArchitecture = (typeof fixtureArchitectures)[number];

/** What expected.json holds: the inputs, and torch's logits for each alone and for both in one right-padded batch (real positions). */
export interface ExpectedLogits {
  readonly model_class: string;
  readonly pad_token_id: number;
  readonly takes_token_types: boolean;
  readonly inputs: ReadonlyArray<{ readonly input_ids: readonly number[]; readonly token_type_ids: readonly number[] }>;
  /** `[input][position][vocab]`. */
  readonly single: readonly (readonly (readonly number[])[])[];
  readonly padded_batch: readonly (readonly (readonly number[])[])[];
}

export interface FixtureCheckpoint {
  readonly config: ModelConfig;
  readonly weights: ModelWeights;
  readonly expected: ExpectedLogits;
}

const fixturesFolder = join(dirname(fileURLToPath(import.meta.url)), '__fixtures__');

export function readFixtureCheckpoint(architecture: FixtureArchitecture): FixtureCheckpoint {
  const folder = join(fixturesFolder, architecture);
  return {
    config: JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8')) as ModelConfig,
    weights: readSafetensors(new Uint8Array(readFileSync(join(folder, 'model.safetensors')))),
    expected: JSON.parse(readFileSync(join(folder, 'expected.json'), 'utf8')) as ExpectedLogits,
  };
}

/** A safetensors file's tensors, as views into its bytes: a u64 header length, a JSON header, the data. */
export function readSafetensors(file: Uint8Array): ModelWeights {
  const headerLength = Number(new DataView(file.buffer, file.byteOffset, 8).getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(file.subarray(8, 8 + headerLength))) as Record<
    string,
    { dtype: WeightDtype; shape: number[]; data_offsets: [number, number] }
  >;
  const data = file.subarray(8 + headerLength);
  const tensors = new Map<string, WeightTensor>();
  for (const [name, entry] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    tensors.set(name, { name, dtype: entry.dtype, shape: entry.shape, bytes: data.subarray(entry.data_offsets[0], entry.data_offsets[1]) });
  }
  return weightsOf([...tensors.values()]);
}

/** The tensors of a folder's `model.safetensors`, or of the shards its `model.safetensors.index.json` lists. */
export function readSafetensorsFolder(folder: string): ModelWeights {
  const index = join(folder, 'model.safetensors.index.json');
  if (!existsSync(index)) return readSafetensors(new Uint8Array(readFileSync(join(folder, 'model.safetensors'))));
  const shards = new Set(Object.values((JSON.parse(readFileSync(index, 'utf8')) as { weight_map: Record<string, string> }).weight_map));
  return weightsOf(
    [...shards].flatMap((shard) => {
      const weights = readSafetensors(new Uint8Array(readFileSync(join(folder, shard))));
      return weights.names().map((name) => weights.get(name)!);
    }),
  );
}

/** A ModelWeights over the given tensors. */
export function weightsOf(tensors: readonly WeightTensor[]): ModelWeights {
  const byName = new Map(tensors.map((tensor) => [tensor.name, tensor]));
  return {
    get: (name) => byName.get(name),
    names: () => [...byName.keys()],
    byteLength: tensors.reduce((total, tensor) => total + tensor.bytes.length, 0),
  };
}
