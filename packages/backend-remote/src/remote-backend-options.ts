import type { InferenceProviderOrPolicy } from '@huggingface/inference';

/** Options of `createRemoteBackend`. All optional: the default calls the Hugging Face Inference API. */
export interface RemoteBackendOptions {
  /**
   * The URL that fills masks, used as is: an Inference Endpoint (`https://xyz.endpoints.huggingface.cloud`),
   * `fillmask serve` (`http://host:8080`), or any server speaking the Inference API's fill-mask
   * protocol. Without it, requests go to the Inference API (`router.huggingface.co`) for the model.
   */
  readonly endpointUrl?: string;
  /**
   * Sent as `Authorization: Bearer <token>`. Default: the config's `accessToken`, else `$HF_TOKEN`,
   * which is only sent to Hugging Face's own hosts, never to another `endpointUrl`.
   */
  readonly accessToken?: string;
  /** The Inference Providers provider, where `@huggingface/inference` has one for fill-mask. Default `hf-inference`. Not with `endpointUrl`. */
  readonly provider?: InferenceProviderOrPolicy;
  /**
   * The model's mask token. Default: asked from the endpoint (`GET <endpointUrl>/info`, which
   * `fillmask serve` answers), else read from the model's `tokenizer_config.json` on the Hub.
   */
  readonly maskToken?: string;
  /** Retries after a 408, 429, 502, 503 or 504 answer, a network failure or a timeout. Default 4. */
  readonly maxRetries?: number;
  /** Wait before the first retry, in ms, doubled at each further one, with jitter. Default 500. */
  readonly retryDelayMs?: number;
  /**
   * Longest wait between two attempts, in ms. A `Retry-After` longer than this ends the retries at
   * once (the error tells how long the service asked to wait). Default 20 000.
   */
  readonly maxRetryDelayMs?: number;
  /** Longest time one HTTP request may take, body included, in ms; then it counts as a failed attempt. Default 60 000. */
  readonly timeoutMs?: number;
  /** The fetch to use. Default: the global fetch. */
  readonly fetch?: typeof globalThis.fetch;
  /** Base URL of the Hub, where the mask token is read when needed. Default: the config's `hubUrl`, `$HF_ENDPOINT`, `https://huggingface.co`. */
  readonly hubUrl?: string;
}

export const remoteDefaults = {
  maxRetries: 4,
  retryDelayMs: 500,
  maxRetryDelayMs: 20_000,
  timeoutMs: 60_000,
} as const;
