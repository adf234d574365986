import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toPipelineOutput, type FillMask } from '@fillmask/core';

export interface HostedCall {
  readonly method: string;
  /** Path and query, as sent to the real host. */
  readonly path: string;
  readonly host: 'huggingface.co' | 'router.huggingface.co';
  readonly authorization: string | undefined;
  readonly body: string;
}

export interface HostedInferenceApi {
  /** Pass as the backend's `fetch`: sends huggingface.co and router.huggingface.co to this double, anything else through. */
  readonly fetch: typeof globalThis.fetch;
  readonly calls: HostedCall[];
  close(): Promise<void>;
}

const hosts = { 'https://huggingface.co': 'huggingface.co', 'https://router.huggingface.co': 'router.huggingface.co' } as const;

/**
 * A double of the hosted Inference API, which cannot be reached from the tests, speaking its
 * protocol: the Hub's provider lookup (`GET huggingface.co/api/models/<id>?expand[]=inferenceProviderMapping`)
 * and the router's fill-mask route (`POST router.huggingface.co/hf-inference/models/<id>`), which
 * answers with a real model in the Python pipeline's shapes and refuses a wrong token with 401.
 */
export async function startHostedInferenceApi(models: Readonly<Record<string, FillMask>>, token: string): Promise<HostedInferenceApi> {
  const calls: HostedCall[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', async () => {
      const host = request.headers['x-original-host'] as HostedCall['host'];
      const path = request.url ?? '/';
      calls.push({ method: request.method ?? '', path, host, authorization: request.headers.authorization, body });
      const send = (status: number, value: unknown) => {
        response.writeHead(status, { 'Content-Type': 'application/json', 'X-Request-Id': `Root=1-${calls.length}` });
        response.end(JSON.stringify(value));
      };
      const url = new URL(path, 'http://double');
      if (host === 'huggingface.co' && request.method === 'GET' && url.pathname.startsWith('/api/models/')) {
        const id = url.pathname.slice('/api/models/'.length);
        if (url.searchParams.get('expand[]') !== 'inferenceProviderMapping' || models[id] === undefined)
          return send(404, { error: 'Repository not found' });
        return send(200, {
          _id: '0123456789abcdef01234567',
          id,
          inferenceProviderMapping: [{ provider: 'hf-inference', providerId: id, hfModelId: id, status: 'live', task: 'fill-mask' }],
        });
      }
      if (host === 'router.huggingface.co' && request.method === 'POST' && url.pathname.startsWith('/hf-inference/models/')) {
        const model = models[url.pathname.slice('/hf-inference/models/'.length)];
        if (model === undefined) return send(404, { error: 'Model not found' });
        if (request.headers.authorization !== `Bearer ${token}`) return send(401, { error: 'Invalid username or password.' });
        const { inputs, parameters = {} } = JSON.parse(body) as {
          inputs: string | string[];
          parameters?: { top_k?: number; targets?: string[] };
        };
        const list = [inputs].flat();
        if (!list.every((input) => input.includes(model.maskToken)))
          return send(400, { error: `No mask_token (${model.maskToken}) found on the input` });
        const results = (await model.fill(list, { topK: parameters.top_k, targets: parameters.targets })).map(toPipelineOutput);
        return send(200, typeof inputs === 'string' || results.length === 1 ? results[0] : results);
      }
      send(404, { error: 'Not Found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const fetchThroughDouble: typeof globalThis.fetch = async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = hosts[url.origin as keyof typeof hosts];
    if (host === undefined) return globalThis.fetch(input, init);
    const headers = new Headers(init?.headers);
    headers.set('X-Original-Host', host);
    return globalThis.fetch(`${local}${url.pathname}${url.search}`, { ...init, headers });
  };

  return {
    fetch: fetchThroughDouble,
    calls,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
