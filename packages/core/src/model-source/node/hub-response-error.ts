import { HubRequestError } from '../../errors/hub-request-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';
import { displayUrl } from './display-url.js';
import type { HubFetchResult } from './hub-fetch.js';

export interface HubErrorContext {
  readonly modelId: string;
  readonly revision: string;
  readonly file: string;
  readonly hubUrl: string;
  /** Whether an access token was sent to the Hub. */
  readonly tokenSent: boolean;
  /** Removes the access token from text that came from the network, before it goes into a message. */
  readonly redact: (text: string) => string;
}

/**
 * The typed error for a failed Hub answer: the file is missing (ModelFileNotFoundError), or the
 * model is gated, private, missing, or the server failed (HubRequestError, with the Hub's error code
 * and request id so that a report to Hugging Face can be traced).
 */
export function errorFromHubResponse(result: HubFetchResult, context: HubErrorContext): HubRequestError | ModelFileNotFoundError {
  const { response } = result;
  const status = response.status;
  const errorCode = response.headers.get('x-error-code') ?? undefined;
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const serverMessage = response.headers.get('x-error-message');
  const said = serverMessage ? ` The Hub said: ${JSON.stringify(context.redact(serverMessage))}` : '';
  const code = errorCode === undefined ? '' : ` ${errorCode}`;
  const model = `${context.modelId} (revision ${context.revision})`;
  const url = displayUrl(result.url);

  if (!result.fromHub) {
    const message = `Downloading ${context.file} of ${model} from ${new URL(result.url).origin} failed with HTTP ${status}.`;
    return new HubRequestError({ url, status, errorCode, requestId, message });
  }
  if (status === 404 && errorCode === 'EntryNotFound') {
    return new ModelFileNotFoundError({
      model: context.modelId,
      file: context.file,
      hint: `The Hub has no such file at revision ${context.revision}.`,
    });
  }
  let message: string;
  if ((status === 401 || status === 403) && context.tokenSent) {
    message =
      `The Hub refused the access token (HTTP ${status}${code}) for ${model}: the token is invalid, or it cannot read this ` +
      `model (gated or private), or the model does not exist. For a gated model, accept its terms on ${context.hubUrl}/${context.modelId} ` +
      `with the account that owns the token.${said}`;
  } else if (status === 401 || status === 403) {
    message =
      `${model} is gated or private, or does not exist (HTTP ${status}${code}). If you have access, set the HF_TOKEN ` +
      `environment variable or pass { accessToken } with a token that can read it; for a gated model, first accept ` +
      `its terms on ${context.hubUrl}/${context.modelId}.${said}`;
  } else if (status === 404 && errorCode === 'RevisionNotFound') {
    message = `${context.modelId} has no revision ${JSON.stringify(context.revision)} on the Hub (HTTP 404${code}).${said}`;
  } else if (status === 404) {
    message = `${context.modelId} was not found on the Hub at ${context.hubUrl} (HTTP 404${code}); check the model id and revision ${JSON.stringify(context.revision)}.${said}`;
  } else {
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    message = `The Hub failed to serve ${context.file} of ${model}: HTTP ${status}${statusText}${code}.${said}`;
  }
  return new HubRequestError({ url, status, errorCode, requestId, message });
}
