import { statSync } from 'node:fs';
import path from 'node:path';

/** A --model that names a local folder which is not there: said before any network request. */
export class ModelLocationError extends Error {
  override readonly name = 'ModelLocationError';
}

const whatToGive =
  'A local model is a folder in the Hub layout (config.json, the tokenizer, onnx/model.onnx or the weights); ' +
  'a Hub id looks like org/name, such as distilbert/distilroberta-base.';

// Extensions of files people point -m at by mistake; a Hub id ending so (`org/name.md`) is not plausible.
const fileExtension =
  /\.(md|txt|json|jsonl|csv|tsv|onnx|onnx_data|bin|safetensors|pt|pth|ckpt|h5|msgpack|model|zip|gz|tgz|tar|py|js|ts|yaml|yml|png|jpe?g|gif|pdf|html?)$/i;

/**
 * Throws a ModelLocationError when `model` must be a local path and is no folder. It must be one when
 * it exists (a file is no model folder), or when it looks like a path: it starts with `./`, `../`, `/`
 * or `~`, holds a backslash, an empty segment or more than the one slash of `org/name`, or ends in a
 * file extension (`README.md`, `model.onnx`). Anything else may be a Hub id and is left to the Hub.
 */
export function checkModelLocation(model: string): void {
  const resolved = path.resolve(model.startsWith('~') ? path.join(process.env.HOME ?? '~', model.slice(1)) : model);
  const info = statSync(resolved, { throwIfNoEntry: false });
  if (info?.isDirectory()) return;
  if (info !== undefined) throw new ModelLocationError(`-m ${model}: ${resolved} is a file, not a model folder. ${whatToGive}`);
  if (looksLikePath(model)) throw new ModelLocationError(`-m ${model}: no such folder (${resolved}). ${whatToGive}`);
}

/**
 * What to add when the Hub could not give `model`: for a bare name (no `org/`), that no local folder
 * has that name either, and what a Hub id looks like. Undefined for an `org/name` id.
 */
export function hubIdHint(model: string | undefined): string | undefined {
  if (model === undefined || model.includes('/')) return undefined;
  return `No folder ${model} exists here either. ${whatToGive}`;
}

function looksLikePath(model: string): boolean {
  if (model === '.' || model === '..' || /^(\.{1,2}[\\/]|[/~]|[A-Za-z]:[\\/]|file:)/.test(model)) return true;
  if (model.includes('\\') || fileExtension.test(model)) return true;
  const segments = model.split('/');
  return segments.length > 2 || segments.some((segment) => segment === '');
}
