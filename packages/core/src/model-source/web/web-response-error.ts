import { HubRequestError } from '../../errors/hub-request-error.js';
import { ModelFileNotFoundError } from '../../errors/model-file-not-found-error.js';

export interface WebResponseErrorContext {
  readonly file: string;
  /** Where the model comes from, for messages: its URL base, or `hub:<id>@<revision>`. */
  readonly location: string;
  /** Set when the model is a Hub id: its answers carry the Hub's error codes. */
  readonly hubModel: { readonly modelId: string; readonly revision: string; readonly hubUrl: string } | undefined;
  readonly tokenSent: boolean;
  /** Removes the access token from text that came from the network. */
  readonly redact: (text: string) => string;
}

/**
 * The typed error for a failed answer: a missing file is ModelFileNotFoundError; anything else
 * (gated, private, missing repository or revision, server failure) is HubRequestError with the status,
 * the Hub's error code and its request id.
 */
export function errorFromWebResponse(response: Response, context: WebResponseErrorContext): HubRequestError | ModelFileNotFoundError {
  const { status } = response;
  // Cross-origin answers hide these headers unless the server exposes them; the Hub does.
  const errorCode = response.headers.get('x-error-code') ?? undefined;
  const requestId = response.headers.get('x-request-id') ?? undefined;
  const serverMessage = response.headers.get('x-error-message');
  const said = serverMessage ? ` The server said: ${JSON.stringify(context.redact(serverMessage))}` : '';
  const url = displayUrl(response.url);
  const hub = context.hubModel;

  if (status === 404 && (hub === undefined || errorCode === 'EntryNotFound')) {
    const hint = hub === undefined ? `${url} answered HTTP 404.` : `The Hub has no such file at revision ${hub.revision}.`;
    return new ModelFileNotFoundError({ model: hub?.modelId ?? context.location, file: context.file, hint });
  }
  const code = errorCode === undefined ? '' : ` ${errorCode}`;
  let message: string;
  const fromHub = hub !== undefined && isHubAnswer(response, hub.hubUrl);
  if (hub !== undefined && fromHub && (status === 401 || status === 403)) {
    const model = `${hub.modelId} (revision ${hub.revision})`;
    message = context.tokenSent
      ? `The Hub refused the access token (HTTP ${status}${code}) for ${model}: the token is invalid, or it cannot read this model ` +
        `(gated or private), or the model does not exist. For a gated model, accept its terms on ${hub.hubUrl}/${hub.modelId}.${said}`
      : `${model} is gated or private, or does not exist (HTTP ${status}${code}). If you have access, pass { accessToken } ` +
        `with a token that can read it; for a gated model, first accept its terms on ${hub.hubUrl}/${hub.modelId}.${said}`;
  } else if (hub !== undefined && fromHub && status === 404 && errorCode === 'RevisionNotFound') {
    message = `${hub.modelId} has no revision ${JSON.stringify(hub.revision)} on the Hub (HTTP 404${code}).${said}`;
  } else if (hub !== undefined && fromHub && status === 404) {
    message = `${hub.modelId} was not found on the Hub at ${hub.hubUrl} (HTTP 404${code}); check the model id and revision ${JSON.stringify(hub.revision)}.${said}`;
  } else {
    const statusText = response.statusText ? ` ${response.statusText}` : '';
    message = `Fetching ${context.file} of ${context.location} from ${url} failed: HTTP ${status}${statusText}${code}.${said}`;
  }
  return new HubRequestError({ url, status, errorCode, requestId, message });
}

/** A URL fit for messages: no query or fragment, where a CDN puts its signature. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.origin}${parsed.pathname}`;
  } catch {
    return url;
  }
}

/** Whether the answer came from the Hub itself rather than from the CDN it redirected to. */
function isHubAnswer(response: Response, hubUrl: string): boolean {
  // A response made up by a custom fetch has no URL: take it as the Hub's.
  return response.url === '' || new URL(response.url).origin === new URL(hubUrl).origin;
}
