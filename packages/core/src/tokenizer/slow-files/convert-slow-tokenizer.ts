import type { ModelFiles } from '../../model-source/model-files.js';
import type { ModelConfig } from '../../model/model-config.js';
import { readJsonFile } from '../../model/read-json-file.js';
import { UnsupportedModelError } from '../../errors/unsupported-model-error.js';
import { albertConventions, albertTokenizerJson } from './albert-tokenizer-json.js';
import { bertConventions, bertTokenizerJson } from './bert-tokenizer-json.js';
import { fairseqConventions, fairseqSentencePieceTokenizerJson } from './fairseq-sentencepiece-tokenizer-json.js';
import { readMerges, readVocabJson } from './read-vocab-json-and-merges.js';
import { readVocabTxt } from './read-vocab-txt.js';
import { robertaConventions, robertaTokenizerJson } from './roberta-tokenizer-json.js';
import { readSentencePieceModel } from './sentencepiece-model.js';
import { readSlowTokenizerSettings, type SlowTokenizerSettings } from './slow-tokenizer-settings.js';
import { resolveNamedTokens, type SpecialTokenConventions } from './special-tokens.js';
import type { TokenizerJson } from './tokenizer-json-parts.js';

/** The tokenizer classes of transformers whose slow files fillmask converts. */
export type SlowTokenizerFamily = 'bert' | 'roberta' | 'albert' | 'xlm-roberta' | 'camembert';

/** The files each family's tokenizer is built from. */
export const slowTokenizerFiles: Readonly<Record<SlowTokenizerFamily, readonly string[]>> = {
  bert: ['vocab.txt'],
  roberta: ['vocab.json', 'merges.txt'],
  'xlm-roberta': ['sentencepiece.bpe.model'],
  camembert: ['sentencepiece.bpe.model'],
  albert: ['spiece.model'],
};

/** The order in which a folder that names no tokenizer class or model type is searched. */
const searchOrder: readonly SlowTokenizerFamily[] = ['bert', 'roberta', 'xlm-roberta', 'albert'];

/** tokenizer_config.json's `tokenizer_class` (without "Fast") to family. */
const familyOfClass: Readonly<Record<string, SlowTokenizerFamily>> = {
  BertTokenizer: 'bert',
  DistilBertTokenizer: 'bert',
  ElectraTokenizer: 'bert',
  MobileBertTokenizer: 'bert',
  ConvBertTokenizer: 'bert',
  RobertaTokenizer: 'roberta',
  LongformerTokenizer: 'roberta',
  XLMRobertaTokenizer: 'xlm-roberta',
  CamembertTokenizer: 'camembert',
  AlbertTokenizer: 'albert',
};

/** config.json's `model_type` to family, as AutoTokenizer maps them. */
const familyOfModelType: Readonly<Record<string, SlowTokenizerFamily>> = {
  bert: 'bert',
  distilbert: 'bert',
  electra: 'bert',
  mobilebert: 'bert',
  convbert: 'bert',
  'megatron-bert': 'bert',
  roberta: 'roberta',
  'roberta-prelayernorm': 'roberta',
  'data2vec-text': 'roberta',
  longformer: 'roberta',
  'xlm-roberta': 'xlm-roberta',
  'xlm-roberta-xl': 'xlm-roberta',
  camembert: 'camembert',
  albert: 'albert',
};

const conventionsOf: Readonly<Record<SlowTokenizerFamily, SpecialTokenConventions>> = {
  bert: bertConventions,
  roberta: robertaConventions,
  albert: albertConventions,
  'xlm-roberta': fairseqConventions,
  camembert: fairseqConventions,
};

export interface ConvertedTokenizer {
  readonly family: SlowTokenizerFamily;
  /** tokenizer.json as Python's fast tokenizer would have it. */
  readonly tokenizerJson: TokenizerJson;
  /** The mask and pad tokens' contents, from the files or the family's conventions. */
  readonly maskToken: string | undefined;
  readonly padToken: string | undefined;
}

/**
 * Builds tokenizer.json for a model that publishes only its tokenizer's "slow" files (vocab.txt,
 * vocab.json + merges.txt, a SentencePiece model), as transformers does when it loads such a folder.
 * The family comes from tokenizer_config.json's `tokenizer_class`, else config.json's `model_type`,
 * else from which files exist. A family fillmask cannot convert, or missing files, are an
 * UnsupportedModelError that names what was looked for.
 */
export async function convertSlowTokenizer(
  files: ModelFiles,
  config: ModelConfig,
  tokenizerConfig: Readonly<Record<string, unknown>>,
): Promise<ConvertedTokenizer> {
  const family = await chooseFamily(files, config, tokenizerConfig);
  const settings = readSlowTokenizerSettings(tokenizerConfig, await readSpecialTokensMap(files));
  const tokenizerJson = await buildTokenizerJson(files, family, settings);
  const named = resolveNamedTokens(settings, conventionsOf[family]);
  return { family, tokenizerJson, maskToken: named.get('mask_token')?.content, padToken: named.get('pad_token')?.content };
}

async function chooseFamily(
  files: ModelFiles,
  config: ModelConfig,
  tokenizerConfig: Readonly<Record<string, unknown>>,
): Promise<SlowTokenizerFamily> {
  const supported =
    'BERT (vocab.txt), RoBERTa (vocab.json + merges.txt), XLM-RoBERTa and CamemBERT (sentencepiece.bpe.model), ALBERT (spiece.model)';
  const tokenizerClass = tokenizerConfig.tokenizer_class;
  const modelType = config.model_type;
  let family: SlowTokenizerFamily | undefined;
  let namedBy: string;
  if (typeof tokenizerClass === 'string') {
    family = familyOfClass[tokenizerClass.replace(/Fast$/, '')];
    namedBy = `tokenizer_class ${tokenizerClass}`;
  } else if (typeof modelType === 'string') {
    family = familyOfModelType[modelType];
    namedBy = `model_type ${modelType}`;
  } else {
    for (const candidate of searchOrder) {
      if (await allExist(files, slowTokenizerFiles[candidate])) return candidate;
    }
    throw new UnsupportedModelError({
      model: files.location,
      reason: `it has no tokenizer files: looked for tokenizer.json, vocab.txt, vocab.json + merges.txt, sentencepiece.bpe.model and spiece.model.`,
    });
  }
  if (family === undefined) {
    throw new UnsupportedModelError({
      model: files.location,
      reason: `it has no tokenizer.json, and its ${namedBy} is not one whose slow tokenizer files fillmask converts: ${supported}.`,
    });
  }
  const needed = slowTokenizerFiles[family];
  if (!(await allExist(files, needed))) {
    throw new UnsupportedModelError({
      model: files.location,
      reason: `it has no tokenizer files: looked for tokenizer.json and, as its ${namedBy} says, ${needed.join(' + ')}.`,
    });
  }
  return family;
}

async function allExist(files: ModelFiles, paths: readonly string[]): Promise<boolean> {
  for (const path of paths) if (!(await files.exists(path))) return false;
  return true;
}

async function readSpecialTokensMap(files: ModelFiles): Promise<Record<string, unknown> | undefined> {
  if (!(await files.exists('special_tokens_map.json'))) return undefined;
  const value = await readJsonFile(files, 'special_tokens_map.json');
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new UnsupportedModelError({ model: files.location, reason: 'special_tokens_map.json is not a JSON object.' });
}

async function buildTokenizerJson(files: ModelFiles, family: SlowTokenizerFamily, settings: SlowTokenizerSettings): Promise<TokenizerJson> {
  const paths = slowTokenizerFiles[family];
  // Read first: errors of the source (a failed download) pass through as they are.
  const [first, second] = await Promise.all(paths.map((path) => files.read(path)));
  try {
    switch (family) {
      case 'bert':
        return bertTokenizerJson(readVocabTxt(first), settings);
      case 'roberta':
        return robertaTokenizerJson(readVocabJson(first), readMerges(second), settings);
      case 'albert':
        return albertTokenizerJson(readSentencePieceModel(first), settings);
      case 'xlm-roberta':
      case 'camembert':
        return fairseqSentencePieceTokenizerJson(family, readSentencePieceModel(first), settings);
    }
  } catch (cause) {
    // Malformed files: invalid UTF-8 (TypeError), JSON or merges (SyntaxError), protobuf or pieces (RangeError).
    throw new UnsupportedModelError({
      model: files.location,
      reason: `its tokenizer cannot be built from ${paths.join(' + ')}: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
    });
  }
}
