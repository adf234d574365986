import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toPipelineOutput, type FillMask } from '@fillmask/core';

/** How the service answers one request. */
export type Reply =
  /** This status, with a JSON body (`{"error": ...}` unless given) and these headers. */
  | { readonly kind: 'status'; readonly status: number; readonly body?: unknown; readonly headers?: Record<string, string> }
  /** Reads the request, then never answers. */
  | { readonly kind: 'stall' }
  /** Sends 200 and half a body, then never finishes it. */
  | { readonly kind: 'stall-body' }
  /** Closes the connection without an answer. */
  | { readonly kind: 'drop' }
  /** 200 with a body that is not JSON. */
  | { readonly kind: 'malformed-json' }
  /** 200 with JSON that is not a fill-mask result. */
  | { readonly kind: 'wrong-shape' }
  /** The real answer of the Inference API protocol, from a real model. */
  | { readonly kind: 'fill' };

export interface RecordedCall {
  /** `performance.now()` when the request was read. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** The X-Request-Id this service answered with. */
  readonly requestId: string;
}

export interface FaultyService {
  readonly url: string;
  readonly calls: RecordedCall[];
  /** The replies to the next requests, in order; the last one repeats. */
  script(...replies: Reply[]): void;
  close(): Promise<void>;
}

/**
 * A fill-mask service on 127.0.0.1 that misbehaves on demand, speaking the Inference API's protocol
 * when it answers: what the hosted API, an endpoint or a proxy in front of them can do.
 */
export async function startFaultyService(fillMask: FillMask): Promise<FaultyService> {
  const calls: RecordedCall[] = [];
  let replies: Reply[] = [{ kind: 'fill' }];

  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const requestId = randomUUID();
      calls.push({
        at: performance.now(),
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body,
        requestId,
      });
      const reply = replies.length > 1 ? replies.shift()! : replies[0];
      void answer(reply, body, requestId, request, response);
    });
  });

  async function answer(reply: Reply, body: string, requestId: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader('X-Request-Id', requestId);
    switch (reply.kind) {
      case 'status': {
        const text = JSON.stringify(reply.body ?? { error: `status ${reply.status}` });
        response.writeHead(reply.status, { 'Content-Type': 'application/json', ...reply.headers });
        return void response.end(text);
      }
      case 'stall':
        return;
      case 'stall-body':
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
        return void response.write('[{"score": 0.5, ');
      case 'drop':
        return void request.socket.destroy();
      case 'malformed-json':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end('[{"score": 0.5, "token": 7, "token_str": "x", "sequence": ');
      case 'wrong-shape':
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end(JSON.stringify([{ label: 'POSITIVE', score: 0.9 }]));
      case 'fill': {
        const { inputs, parameters = {} } = JSON.parse(body) as {
          inputs: string | string[];
          parameters?: { top_k?: number; targets?: string[] };
        };
        const results = await fillMask.fill([inputs].flat(), { topK: parameters.top_k, targets: parameters.targets });
        const shaped = results.map(toPipelineOutput);
        response.writeHead(200, { 'Content-Type': 'application/json' });
        return void response.end(JSON.stringify(typeof inputs === 'string' || shaped.length === 1 ? shaped[0] : shaped));
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    script(...next) {
      replies = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Milliseconds between consecutive calls. */
export function gaps(calls: readonly RecordedCall[]): number[] {
  return calls.slice(1).map((call, index) => call.at - calls[index].at);
}
