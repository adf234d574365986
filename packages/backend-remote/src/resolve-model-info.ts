import { openModel, UnsupportedModelError, type ModelSourceOptions } from '@fillmask/core';
import { errorFromAnswer } from './error-from-answer.js';
import { parseJson, sendWithRetries, type SendOptions } from './send-with-retries.js';

/** What core needs to know of a remote model before sending it anything. */
export interface RemoteModelInfo {
  readonly maskToken: string;
  readonly maxLength?: number;
}

export interface ModelInfoRequest {
  readonly model: string;
  readonly maskToken: string | undefined;
  readonly endpointUrl: string | undefined;
  /** Headers for the endpoint (its Authorization). */
  readonly headers: Readonly<Record<string, string>>;
  readonly send: SendOptions;
  /** How to read the model's files on the Hub. */
  readonly source: ModelSourceOptions;
}

/**
 * The mask token, from the first place that has it: the backend's `maskToken` option; the endpoint's
 * `GET /info` (`fillmask serve` answers `{model, maskToken, maxLength, backend}`); the model's
 * `tokenizer_config.json` on the Hub. Else UnsupportedModelError, saying what was tried.
 */
export async function resolveModelInfo(request: ModelInfoRequest): Promise<RemoteModelInfo> {
  if (request.maskToken !== undefined) return { maskToken: request.maskToken };
  if (request.endpointUrl !== undefined) {
    const fromEndpoint = await askEndpoint(request.endpointUrl, request);
    if (fromEndpoint !== undefined) return fromEndpoint;
  }
  let fromHub: RemoteModelInfo | undefined;
  let cause: unknown;
  try {
    fromHub = await readHubTokenizerConfig(request);
  } catch (error) {
    cause = error;
  }
  if (fromHub !== undefined) return fromHub;
  const tried = request.endpointUrl === undefined ? '' : 'the endpoint does not answer GET /info, and ';
  const hub =
    cause === undefined
      ? "the model's tokenizer_config.json on the Hub defines no mask_token"
      : `reading tokenizer_config.json from the Hub failed (${cause instanceof Error ? cause.message : String(cause)})`;
  throw new UnsupportedModelError({
    model: request.model,
    reason: `its mask token is unknown: ${tried}${hub}. Pass { maskToken } to createRemoteBackend.`,
    cause,
  });
}

async function askEndpoint(endpointUrl: string, request: ModelInfoRequest): Promise<RemoteModelInfo | undefined> {
  const infoUrl = `${endpointUrl.replace(/\/+$/, '')}/info`;
  const answer = await sendWithRetries(infoUrl, { method: 'GET', headers: request.headers }, request.send);
  // A refused token would be refused for filling too: better said now.
  if (answer.status === 401 || answer.status === 403) throw errorFromAnswer(answer, request.send.redact);
  if (answer.status !== 200) return undefined;
  const info = parseJson(answer.text) as { maskToken?: unknown; maxLength?: unknown } | undefined;
  if (typeof info?.maskToken !== 'string' || info.maskToken === '') return undefined;
  return { maskToken: info.maskToken, maxLength: saneLength(info.maxLength) };
}

/** The mask token of the model's tokenizer_config.json, undefined when it names none. */
async function readHubTokenizerConfig(request: ModelInfoRequest): Promise<RemoteModelInfo | undefined> {
  const files = await openModel(request.model, request.source);
  const config = JSON.parse(new TextDecoder().decode(await files.read('tokenizer_config.json'))) as {
    mask_token?: unknown;
    model_max_length?: unknown;
  };
  const maskToken = tokenContent(config.mask_token);
  return maskToken === undefined ? undefined : { maskToken, maxLength: saneLength(config.model_max_length) };
}

/** tokenizer_config.json stores special tokens as strings or as serialised AddedToken objects. */
function tokenContent(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  const content = (value as { content?: unknown } | null)?.content;
  return typeof content === 'string' && content !== '' ? content : undefined;
}

/** Tokenizers without a real limit store transformers' VERY_LARGE_INTEGER (1e30). */
function saneLength(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value < 1e12 ? value : undefined;
}
