import { RemoteRequestError, type MaskPredictions, type Prediction } from '@fillmask/core';
import { shortUrl, type HttpAnswer } from './send-with-retries.js';

/**
 * Reads a fill-mask answer in the Python pipeline's shapes, which `@huggingface/inference` only
 * half accepts (its check refuses the nested lists of several masks). For one input (sent as a
 * string): a list of predictions for one mask, or a list of such lists for several. For several
 * inputs: a list with one of those per input. Returns one list per mask for each input.
 */
export function parseFillMaskResponse(answer: HttpAnswer, inputCount: number): MaskPredictions[][] {
  let payload: unknown;
  try {
    payload = JSON.parse(answer.text);
  } catch {
    throw malformed(answer, 'a body that is not JSON');
  }
  const perInput = inputCount === 1 ? [payload] : payload;
  if (!Array.isArray(perInput) || perInput.length !== inputCount) {
    throw malformed(answer, `a result that is not a list of ${inputCount} results, one per input`);
  }
  return perInput.map((result, index) => {
    const masks = readMasks(result);
    if (masks === undefined) {
      const which = inputCount === 1 ? 'a result' : `a result for input ${index}`;
      throw malformed(answer, `${which} that is neither a list of {score, token, token_str, sequence} nor a list of such lists`);
    }
    return masks;
  });
}

function readMasks(result: unknown): MaskPredictions[] | undefined {
  if (!Array.isArray(result) || result.length === 0) return undefined;
  if (result.every(Array.isArray)) {
    const masks = result.map(readPredictions);
    return masks.every((mask) => mask !== undefined) ? (masks as MaskPredictions[]) : undefined;
  }
  const single = readPredictions(result);
  return single === undefined ? undefined : [single];
}

function readPredictions(list: unknown[]): MaskPredictions | undefined {
  if (list.length === 0) return undefined;
  const predictions: Prediction[] = [];
  for (const entry of list) {
    const { score, token, token_str, sequence } = (entry ?? {}) as Partial<Prediction>;
    if (typeof score !== 'number' || typeof token !== 'number' || typeof token_str !== 'string' || typeof sequence !== 'string')
      return undefined;
    predictions.push({ score, token, token_str, sequence });
  }
  return predictions;
}

function malformed(answer: HttpAnswer, what: string): RemoteRequestError {
  return new RemoteRequestError({
    url: answer.url,
    message: `The service at ${shortUrl(answer.url)} answered HTTP ${answer.status} with ${what}.`,
    status: answer.status,
    requestId: answer.headers.get('x-request-id') ?? undefined,
    isRetryable: false,
    attempts: answer.attempts,
  });
}
