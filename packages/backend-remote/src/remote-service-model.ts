import { DisposedError, RemoteRequestError, UnsupportedModelError } from '@fillmask/core';
import type { MaskPredictions, ServiceFillRequestV1, ServiceModelV1 } from '@fillmask/core';
import type { InferenceProviderOrPolicy } from '@huggingface/inference';
import type { InferenceClientModule } from './load-inference-client.js';
import type { RemoteModelInfo } from './resolve-model-info.js';
import { errorFromAnswer } from './error-from-answer.js';
import { parseFillMaskResponse } from './parse-fill-mask-response.js';
import { sendWithRetries, type SendOptions } from './send-with-retries.js';

export interface RemoteServiceModelParts {
  readonly client: InferenceClientModule;
  readonly model: string;
  readonly endpointUrl: string | undefined;
  readonly provider: InferenceProviderOrPolicy;
  readonly accessToken: string | undefined;
  readonly info: RemoteModelInfo;
  /** Retry policy, fetch and redaction; the signal is each call's. */
  readonly send: Omit<SendOptions, 'signal'>;
}

/**
 * A model behind the Inference API, an Inference Endpoint or `fillmask serve`. `@huggingface/inference`
 * builds each request exactly as its `fillMask` does (URL, provider routing, headers, body); this
 * class sends it with bounded retries and a timeout, and reads the answer itself, since the client's
 * own check refuses the nested lists that several masks give.
 */
export class RemoteServiceModel implements ServiceModelV1 {
  readonly maskToken: string;
  readonly maxLength: number | undefined;
  private disposed = false;

  constructor(private readonly parts: RemoteServiceModelParts) {
    this.maskToken = parts.info.maskToken;
    this.maxLength = parts.info.maxLength;
  }

  async fill({ inputs, topK, targets, truncation, signal }: ServiceFillRequestV1): Promise<MaskPredictions[][]> {
    if (this.disposed) throw new DisposedError('This remote model');
    const { endpointUrl, send } = this.parts;
    const sendOptions: SendOptions = { ...send, signal };
    const parameters = {
      top_k: topK,
      ...(targets === undefined ? {} : { targets: [...targets] }),
      // The pipeline's own spelling; `fillmask serve` keeps a window around the masks.
      ...(truncation ? { tokenizer_kwargs: { truncation: true } } : {}),
    };
    const request = await this.buildRequest(
      {
        accessToken: this.parts.accessToken,
        ...(endpointUrl === undefined ? { model: this.parts.model, provider: this.parts.provider } : { endpointUrl }),
        // One input goes as a string, the spec's form; the pipeline unwraps a list of one anyway.
        inputs: inputs.length === 1 ? inputs[0] : [...inputs],
        parameters,
      },
      sendOptions,
    );
    const answer = await sendWithRetries(request.url, request.info, sendOptions);
    if (answer.status < 200 || answer.status > 299) throw errorFromAnswer(answer, send.redact);
    return parseFillMaskResponse(answer, inputs.length);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
  }

  private async buildRequest(
    args: Parameters<InferenceClientModule['makeRequestOptions']>[0],
    sendOptions: SendOptions,
  ): Promise<{ url: string; info: RequestInit }> {
    const { client } = this.parts;
    // Routing the Inference API asks the Hub which provider serves the model: that lookup gets retries too.
    const lookupFetch: typeof fetch = async (input, init) => {
      const answer = await sendWithRetries(String(input), init ?? {}, sendOptions);
      return new Response(answer.text, { status: answer.status, headers: answer.headers });
    };
    try {
      const helper = client.getProviderHelper(this.parts.provider, 'fill-mask');
      return await client.makeRequestOptions(args, helper, { task: 'fill-mask', fetch: lookupFetch, signal: sendOptions.signal });
    } catch (error) {
      throw this.translateClientError(error, sendOptions);
    }
  }

  /** The client's own errors, as fillmask's typed errors. */
  private translateClientError(error: unknown, sendOptions: SendOptions): unknown {
    const { client, model } = this.parts;
    if (error instanceof client.InferenceClientInputError) {
      return new UnsupportedModelError({
        model,
        reason: `the Inference API cannot serve it: ${sendOptions.redact(error.message)}`,
        cause: error,
      });
    }
    if (error instanceof client.InferenceClientHubApiError) {
      const { status, requestId } = error.httpResponse;
      return new RemoteRequestError({
        url: error.httpRequest.url,
        message: `Looking up who serves ${model} failed: ${sendOptions.redact(error.message)}`,
        status,
        requestId: requestId || undefined,
        isRetryable: status === 429 || status >= 500,
        attempts: 1,
      });
    }
    return error;
  }
}
