import type { ModelFiles } from '@fillmask/core';
import { checkpointNameOnLoad } from './checkpoint-names.js';
import { checkpointWeights } from './checkpoint-weights.js';
import type { ModelWeights, WeightTensor } from './model-weights.js';
import { invalidWeightFile, type WeightFileRef } from './weight-file.js';

/** Reads one shard's bytes into weights (safetensors or torch). */
export type ShardReader = (bytes: Uint8Array, where: WeightFileRef) => ModelWeights;

/**
 * The weights of a sharded checkpoint: `indexPath` is a `*.index.json` whose `weight_map` maps each
 * tensor name to the shard file holding it, relative to the index's folder. Each shard is read once,
 * in the order the map first names it; the result holds exactly the tensors the map lists (renamed
 * like every reader renames), shard by shard in each shard's file order. A map naming a tensor its
 * shard lacks, a shard path that leaves the model's folder, or a malformed index is an
 * InvalidModelFileError; a missing shard is the ModelFileNotFoundError `files.read` throws.
 */
export async function readShardedWeights(files: ModelFiles, indexPath: string, readShard: ShardReader): Promise<ModelWeights> {
  const where: WeightFileRef = { model: files.location, file: indexPath };
  const weightMap = parseWeightMap(await files.read(indexPath), where);

  const namesByShard = new Map<string, Set<string>>();
  for (const [name, shard] of weightMap) {
    const names = namesByShard.get(shard) ?? new Set<string>();
    names.add(checkpointNameOnLoad(name));
    namesByShard.set(shard, names);
  }

  const folder = indexPath.includes('/') ? indexPath.slice(0, indexPath.lastIndexOf('/') + 1) : '';
  const tensors: WeightTensor[] = [];
  for (const [shard, names] of namesByShard) {
    const path = folder + shard;
    const weights = readShard(await files.read(path), { model: files.location, file: path });
    for (const name of weights.names()) if (names.has(name)) tensors.push(weights.get(name) as WeightTensor);
    const missing = [...names].filter((name) => weights.get(name) === undefined);
    if (missing.length > 0) {
      throw invalidWeightFile(
        where,
        `its weight_map puts ${missing.map((name) => JSON.stringify(name)).join(', ')} in ${shard}, which has no such tensor.`,
      );
    }
  }
  // The shards have already renamed their tensors; renaming again is a no-op on those names.
  return checkpointWeights(tensors, where);
}

/** The index's `weight_map` entries, each shard path checked to stay inside the model's folder. */
function parseWeightMap(bytes: Uint8Array, where: WeightFileRef): Array<[string, string]> {
  let index: unknown;
  try {
    index = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw invalidWeightFile(where, `it is not UTF-8 JSON (${error instanceof Error ? error.message : String(error)}).`, error);
  }
  const weightMap = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof weightMap !== 'object' || weightMap === null || Array.isArray(weightMap)) {
    throw invalidWeightFile(where, 'it has no "weight_map" object (tensor name -> shard file).');
  }
  const entries = Object.entries(weightMap);
  for (const [name, shard] of entries) {
    if (typeof shard !== 'string' || !isPlainRelativePath(shard)) {
      throw invalidWeightFile(
        where,
        `its weight_map puts ${JSON.stringify(name)} in ${JSON.stringify(shard)}, not a relative file path inside the model's folder.`,
      );
    }
  }
  return entries as Array<[string, string]>;
}

/** A path of plain segments below the index's folder: no `..`, no absolute path, drive, scheme or backslash. */
function isPlainRelativePath(path: string): boolean {
  if (path === '' || path.startsWith('/') || /[\\:\0]/.test(path)) return false;
  return path.split('/').every((segment) => segment !== '' && segment !== '.' && segment !== '..');
}
