import { MissingMaskError, type FillMask } from '@fillmask/core';
import { HttpError } from './http-error.js';

/** A fill request of the Hugging Face Inference API, checked. */
export interface FillRequest {
  readonly inputs: readonly string[];
  /** Whether `inputs` came as a list: errors then name the input by its index. */
  readonly isList: boolean;
  readonly topK: number | undefined;
  readonly targets: readonly string[] | undefined;
  readonly truncation: boolean;
}

const example = '{"inputs": "Paris is the <mask> of France.", "parameters": {"top_k": 5}}';

/**
 * Parses `{"inputs": string | string[], "parameters": {"top_k"?, "targets"?, "tokenizer_kwargs"?}}`
 * as the Python pipeline reads it. `tokenizer_kwargs` may hold `truncation` only; `options` (sent by
 * older Inference API clients) is ignored. Inputs without a mask are refused here, before they take
 * a place in a batch: a mask is the model's mask token, or one of the spellings the FillMask rewrites
 * to it (its `maskAliases`, e.g. `<mask>` for a BERT model served by `fillmask serve`).
 */
export function parseFillRequest(body: Buffer, model: Pick<FillMask, 'maskToken' | 'maskAliases'>): FillRequest {
  const { maskToken } = model;
  const maskSpellings = [maskToken, ...(model.maskAliases ?? [])];
  let payload: unknown;
  try {
    payload = JSON.parse(body.toString('utf8'));
  } catch {
    // The parser's message quotes the body, which is the caller's text: it stays out of answers and logs.
    throw new HttpError(400, `The request body is not valid JSON; send ${example}`, 'malformed-json');
  }
  if (!isObject(payload)) throw new HttpError(400, `The request body must be a JSON object such as ${example}`, 'bad-request');
  const inputs = checkInputs(payload.inputs);
  const isList = Array.isArray(payload.inputs);
  inputs.forEach((input, index) => {
    if (!maskSpellings.some((spelling) => input.includes(spelling))) {
      throw new HttpError(400, new MissingMaskError({ maskToken, inputIndex: isList ? index : undefined }).message, 'missing-mask');
    }
  });
  const parameters = payload.parameters ?? {};
  if (!isObject(parameters)) throw badParameter('"parameters" must be an object');
  for (const name of Object.keys(parameters)) {
    if (!['top_k', 'targets', 'tokenizer_kwargs'].includes(name)) {
      throw badParameter(`Unknown parameter ${JSON.stringify(name)}: the fill-mask parameters are top_k, targets and tokenizer_kwargs`);
    }
  }
  return {
    inputs,
    isList,
    topK: checkTopK(parameters.top_k),
    targets: checkTargets(parameters.targets),
    truncation: checkTruncation(parameters.tokenizer_kwargs),
  };
}

function checkInputs(inputs: unknown): readonly string[] {
  if (typeof inputs === 'string') return [inputs];
  if (Array.isArray(inputs) && inputs.length > 0 && inputs.every((input) => typeof input === 'string')) return inputs;
  if (inputs === undefined) throw new HttpError(400, `The request body has no "inputs"; send ${example}`, 'bad-request');
  throw new HttpError(400, '"inputs" must be a string or a non-empty array of strings, each with the mask token.', 'bad-request');
}

function checkTopK(topK: unknown): number | undefined {
  if (topK === undefined || topK === null) return undefined;
  if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1) throw badParameter('"top_k" must be an integer of at least 1');
  return topK;
}

function checkTargets(targets: unknown): readonly string[] | undefined {
  if (targets === undefined || targets === null) return undefined;
  const list = typeof targets === 'string' ? [targets] : targets;
  if (!Array.isArray(list) || list.length === 0 || !list.every((target) => typeof target === 'string')) {
    throw badParameter('"targets" must be a string or a non-empty array of strings');
  }
  return list;
}

function checkTruncation(tokenizerOptions: unknown): boolean {
  if (tokenizerOptions === undefined || tokenizerOptions === null) return false;
  if (!isObject(tokenizerOptions) || Object.keys(tokenizerOptions).some((name) => name !== 'truncation')) {
    throw badParameter('"tokenizer_kwargs" may only hold "truncation"');
  }
  const { truncation = false } = tokenizerOptions;
  if (typeof truncation !== 'boolean') throw badParameter('"tokenizer_kwargs.truncation" must be true or false');
  return truncation;
}

function badParameter(message: string): HttpError {
  return new HttpError(400, `${message}.`, 'bad-parameters');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
