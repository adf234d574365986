import { InvalidArgumentError, type ConnectServiceRequestV1, type ServiceBackendV1 } from '@fillmask/core';
import { chooseAccessToken } from './choose-access-token.js';
import { loadInferenceClient } from './load-inference-client.js';
import { remoteDefaults, type RemoteBackendOptions } from './remote-backend-options.js';
import { RemoteServiceModel } from './remote-service-model.js';
import { resolveModelInfo } from './resolve-model-info.js';
import type { RetryPolicy } from './retry-policy.js';

/**
 * The remote backend: the model runs in a service (the Hugging Face Inference API, an Inference
 * Endpoint, `fillmask serve`), called through `@huggingface/inference` with bounded retries,
 * timeouts and typed errors.
 *
 * @example
 * const fillMask = await createFillMask({
 *   model: 'distilbert/distilroberta-base',
 *   backend: createRemoteBackend({ endpointUrl: 'http://127.0.0.1:8080', accessToken: process.env.FILLMASK_TOKEN }),
 * });
 */
export function createRemoteBackend(options: RemoteBackendOptions = {}): ServiceBackendV1 {
  const policy = checkOptions(options);
  const endpointUrl = options.endpointUrl;
  return {
    specificationVersion: 'v1',
    kind: 'service',
    name: 'remote',
    async connect({ model, signal, source = {} }: ConnectServiceRequestV1) {
      const client = await loadInferenceClient();
      const provider = options.provider ?? 'hf-inference';
      try {
        client.getProviderHelper(provider, 'fill-mask');
      } catch (error) {
        throw new InvalidArgumentError({
          argument: 'provider',
          value: provider,
          expected: `a provider that serves fill-mask (${(error as Error).message})`,
        });
      }
      const accessToken = chooseAccessToken(options.accessToken, source.accessToken, endpointUrl);
      const redact = (text: string) => (accessToken === undefined ? text : text.split(accessToken).join('[redacted]'));
      const fetchFunction = options.fetch ?? source.fetch ?? globalThis.fetch;
      // Called unbound, since some fetch implementations check their `this`.
      const send = { policy, fetch: ((input, init) => fetchFunction(input, init)) as typeof fetch, redact };
      const info = await resolveModelInfo({
        model,
        maskToken: options.maskToken,
        endpointUrl,
        headers: accessToken === undefined ? {} : { Authorization: `Bearer ${accessToken}` },
        send: { ...send, signal },
        source: {
          ...source,
          hubUrl: options.hubUrl ?? source.hubUrl,
          // A token given to the backend is for the service; it reads the Hub only when it is a Hub token.
          accessToken: source.accessToken ?? (options.accessToken?.startsWith('hf_') ? options.accessToken : undefined),
          fetch: options.fetch ?? source.fetch,
        },
      });
      return new RemoteServiceModel({ client, model, endpointUrl, provider, accessToken, info, send });
    },
  };
}

function checkOptions(options: RemoteBackendOptions): RetryPolicy {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidArgumentError({ argument: 'options', value: options, expected: 'an object' });
  }
  const { endpointUrl, provider, maskToken } = options;
  if (endpointUrl !== undefined && !isHttpUrl(endpointUrl)) {
    throw new InvalidArgumentError({
      argument: 'endpointUrl',
      value: endpointUrl,
      expected: 'an http(s) URL such as "http://127.0.0.1:8080"',
    });
  }
  if (endpointUrl !== undefined && provider !== undefined) {
    throw new InvalidArgumentError({
      argument: 'provider',
      value: provider,
      expected: 'no provider with endpointUrl: an endpoint is its own provider',
    });
  }
  if (maskToken !== undefined && (typeof maskToken !== 'string' || maskToken === '')) {
    throw new InvalidArgumentError({ argument: 'maskToken', value: maskToken, expected: 'a non-empty string such as "[MASK]"' });
  }
  const policy: { -readonly [Name in keyof RetryPolicy]: number } = { ...remoteDefaults };
  for (const name of ['maxRetries', 'retryDelayMs', 'maxRetryDelayMs', 'timeoutMs'] as const) {
    const value = options[name];
    if (value === undefined) continue;
    const minimum = name === 'timeoutMs' ? 1 : 0;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < minimum) {
      throw new InvalidArgumentError({ argument: name, value, expected: `an integer of at least ${minimum}` });
    }
    policy[name] = value;
  }
  return policy;
}

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}
