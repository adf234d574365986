import type { ModelFiles } from '../model-source/model-files.js';
import type { ModelConfig } from '../model/model-config.js';
import { readJsonFile } from '../model/read-json-file.js';
import { ModelFileNotFoundError } from '../errors/model-file-not-found-error.js';
import { UnsupportedModelError } from '../errors/unsupported-model-error.js';
import { HfTokenizer } from './hf-tokenizer.js';
import { resolveModelMaxLength } from './resolve-model-max-length.js';
import { convertSlowTokenizer } from './slow-files/convert-slow-tokenizer.js';

/**
 * Builds the tokenizer of a model folder from tokenizer.json and tokenizer_config.json; a model
 * without tokenizer.json has it built from its slow tokenizer files (vocab.txt, vocab.json +
 * merges.txt, a SentencePiece model), as transformers does.
 */
export async function loadTokenizer(files: ModelFiles, config: ModelConfig): Promise<HfTokenizer> {
  const tokenizerConfig = (await files.exists('tokenizer_config.json'))
    ? asObject(await readJsonFile(files, 'tokenizer_config.json'), files, 'tokenizer_config.json')
    : {};
  const fast = await readTokenizerJson(files);
  const converted = fast === undefined ? await convertSlowTokenizer(files, config, tokenizerConfig) : undefined;
  const tokenizerJson = fast ?? converted!.tokenizerJson;
  const addedTokens = readAddedTokens(tokenizerJson);

  const maskToken = tokenContent(tokenizerConfig.mask_token) ?? converted?.maskToken ?? guessMaskToken(addedTokens);
  const maskTokenId = maskToken === undefined ? undefined : addedTokens.get(maskToken);
  if (maskToken === undefined || maskTokenId === undefined) {
    throw new UnsupportedModelError({
      model: files.location,
      reason: 'its tokenizer defines no mask token (tokenizer_config.json has no mask_token, and tokenizer.json no [MASK] or <mask>).',
    });
  }
  const padToken = tokenContent(tokenizerConfig.pad_token) ?? converted?.padToken;
  const padTokenId = (padToken === undefined ? undefined : addedTokens.get(padToken)) ?? config.pad_token_id ?? 0;

  return new HfTokenizer({
    tokenizerJson,
    tokenizerConfig,
    maskToken,
    maskTokenId,
    padTokenId,
    modelMaxLength: resolveModelMaxLength(tokenizerConfig, config),
  });
}

/** tokenizer.json, or undefined when the model has none (it is read without asking first: one request less on the Hub). */
async function readTokenizerJson(files: ModelFiles): Promise<Record<string, unknown> | undefined> {
  try {
    return asObject(await readJsonFile(files, 'tokenizer.json'), files, 'tokenizer.json');
  } catch (error) {
    if (ModelFileNotFoundError.isInstance(error) && error.file === 'tokenizer.json') return undefined;
    throw error;
  }
}

function asObject(value: unknown, files: ModelFiles, path: string): Record<string, unknown> {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new UnsupportedModelError({ model: files.location, reason: `${path} is not a JSON object.` });
}

/** tokenizer_config.json stores special tokens as strings or as serialised AddedToken objects. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { content?: unknown }).content === 'string') {
    return (value as { content: string }).content;
  }
  return undefined;
}

function readAddedTokens(tokenizerJson: Record<string, unknown>): Map<string, number> {
  const added = new Map<string, number>();
  const list = Array.isArray(tokenizerJson.added_tokens) ? tokenizerJson.added_tokens : [];
  for (const token of list as Array<{ id?: unknown; content?: unknown }>) {
    if (typeof token?.content === 'string' && typeof token.id === 'number') added.set(token.content, token.id);
  }
  return added;
}

function guessMaskToken(addedTokens: Map<string, number>): string | undefined {
  return ['[MASK]', '<mask>'].find((candidate) => addedTokens.has(candidate));
}
