import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, toPipelineOutput, type FillMask, type FillOptions } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath, loadReference } from '@fillmask/fixtures';
import { createFillMaskServer, type FillMaskServer } from './index.js';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { gateBackend, gateFillMask, postJson, sameResults } from './fill-mask-server.test-helper.js';

// Dynamic batching against the real model: requests that wait together share one model call, and
// each gets what it would have got alone. Then a bounded load test on loopback.

let fillMask: FillMask;

beforeAll(async () => {
  fillMask = await createFillMask({
    model: fixtureModelPath('tiny-bert-uncased'),
    backend: createOnnxBackend(),
    onWarning: () => undefined,
  });
});
afterAll(() => fillMask?.dispose());

interface Body {
  inputs: string | string[];
  parameters?: { top_k?: number; targets?: string[] };
}

/** What the request would get from the library alone, in the pipeline's shape, through JSON. */
async function alone(body: Body): Promise<unknown> {
  const options: FillOptions = { topK: body.parameters?.top_k, targets: body.parameters?.targets };
  const inputs = typeof body.inputs === 'string' ? [body.inputs] : body.inputs;
  const results = await Promise.all(inputs.map((input) => fillMask.fill(input, options)));
  const shaped = results.map(toPipelineOutput);
  return JSON.parse(JSON.stringify(typeof body.inputs === 'string' || inputs.length === 1 ? shaped[0] : shaped));
}

async function withServer<T>(
  options: Parameters<typeof createFillMaskServer>[0],
  run: (server: FillMaskServer, url: string) => Promise<T>,
): Promise<T> {
  const server = createFillMaskServer(options);
  try {
    return await run(server, await server.listen({ port: 0 }));
  } finally {
    await server.close();
  }
}

const sentences = loadReference('tiny-bert-uncased', 'fp32')
  .cases.filter((entry) => entry.result && entry.mask_count === 1 && !entry.input.includes('…['))
  .map((entry) => entry.input);

describe('dynamic batching', () => {
  it('requests that queue while the model is busy share its next call, each cut to its own top_k', async () => {
    const gated = gateFillMask(fillMask);
    await withServer({ fillMask: gated.fillMask, batchWindowMs: 0 }, async (server, url) => {
      gated.shut();
      const first: Body = { inputs: sentences[0] };
      const running = postJson(url, first);
      await gated.untilCalls(1);
      const queued: Body[] = sentences.slice(1, 10).map((input, index) => ({ inputs: input, parameters: { top_k: 1 + (index % 5) } }));
      queued[3] = { inputs: ['The [MASK] sat on the [MASK].', sentences[4]], parameters: { top_k: 2 } };
      const answers = queued.map((body) => postJson(url, body));
      await until(() => server.stats.queuedInputs === 10);
      gated.open();
      const all = await Promise.all([running, ...answers]);
      expect(gated.calls).toEqual([1, 10]);
      expect(server.stats).toMatchObject({ batches: 2, batchedRequests: 10, batchedInputs: 11, largestBatchRequests: 9 });
      for (const [index, body] of [first, ...queued].entries()) {
        expect(all[index].status).toBe(200);
        expect(sameResults(all[index].body, await alone(body)), JSON.stringify(body)).toBe(true);
      }
    });
  });

  it('by default, 50 requests that queue share one call, which the library cuts into passes by its token budget', async () => {
    const gated = gateFillMask(fillMask);
    await withServer({ fillMask: gated.fillMask, batchWindowMs: 0 }, async (server, url) => {
      gated.shut();
      const running = postJson(url, { inputs: sentences[0] });
      await gated.untilCalls(1);
      const queued: Body[] = Array.from({ length: 50 }, (_, index) => ({ inputs: sentences[index % sentences.length] }));
      const answers = queued.map((body) => postJson(url, body));
      await until(() => server.stats.queuedInputs === 50);
      gated.open();
      const all = await Promise.all(answers);
      await running;
      expect(gated.calls).toEqual([1, 50]);
      for (const [index, body] of queued.entries()) expect(sameResults(all[index].body, await alone(body))).toBe(true);
    });
  });

  it('with warmUp, runs one batch of two inputs before it is ready, and only then answers', async () => {
    const gated = gateFillMask(fillMask);
    gated.shut();
    await withServer({ fillMask: gated.fillMask, warmUp: true }, async (server, url) => {
      await gated.untilCalls(1);
      expect(server.status).toBe('loading');
      expect((await fetch(`${url}/health`)).status).toBe(503);
      gated.open();
      await server.loaded;
      expect(server.status).toBe('ready');
      const answer = await postJson(url, { inputs: sentences[0] });
      expect(answer.status).toBe(200);
      expect(gated.calls).toEqual([2, 1]);
    });
  });

  it('never mixes targets in one call, and keeps each batch within maxBatchSize', async () => {
    const gated = gateFillMask(fillMask);
    await withServer({ fillMask: gated.fillMask, batchWindowMs: 0, maxBatchSize: 3 }, async (server, url) => {
      gated.shut();
      const running = postJson(url, { inputs: sentences[0] });
      await gated.untilCalls(1);
      const animals = { targets: ['cat', 'dog'] };
      const places = { targets: ['paris', 'london', 'house'] };
      const queued: Body[] = [
        { inputs: sentences[1], parameters: animals },
        { inputs: sentences[2], parameters: places },
        { inputs: sentences[3], parameters: animals },
        { inputs: sentences[4] },
        { inputs: sentences[5], parameters: places },
        { inputs: sentences[6], parameters: animals },
        { inputs: sentences[7], parameters: animals },
        { inputs: [sentences[8], sentences[9], sentences[10], sentences[11]] },
      ];
      const answers: Array<ReturnType<typeof postJson>> = [];
      for (const [index, body] of queued.entries()) {
        // One at a time into the queue, so that its order is known.
        answers.push(postJson(url, body));
        await until(
          () => server.stats.queuedInputs === queued.slice(0, index + 1).reduce((sum, entry) => sum + [entry.inputs].flat().length, 0),
        );
      }
      gated.open();
      const all = await Promise.all(answers);
      await running;
      // animals ×3 (the cap), places ×2, no targets ×1, animals ×1, then the 4-input request alone.
      expect(gated.calls).toEqual([1, 3, 2, 1, 1, 4]);
      for (const [index, body] of queued.entries())
        expect(sameResults(all[index].body, await alone(body)), JSON.stringify(body)).toBe(true);
    });
  });
});

/** The fixture model on a backend whose passes wait at a gate while it is shut. */
async function gatedModel(): Promise<{ gated: ReturnType<typeof gateBackend>; model: FillMask }> {
  const gated = gateBackend(createOnnxBackend());
  const model = await createFillMask({ model: fixtureModelPath('tiny-bert-uncased'), backend: gated.backend, onWarning: () => undefined });
  return { gated, model };
}

describe('passes shared by the requests (a model in this process)', () => {
  it('requests that arrive while a pass runs share the next passes, whatever their top_k and targets, each answered as alone', async () => {
    const { gated, model } = await gatedModel();
    try {
      await withServer({ fillMask: model }, async (server, url) => {
        gated.shut();
        const first: Body = { inputs: sentences[0] };
        const running = postJson(url, first);
        await gated.untilPasses(1);
        const queued: Body[] = Array.from({ length: 50 }, (_, index) => ({
          inputs: sentences[index % sentences.length],
          parameters: index % 3 === 0 ? { targets: ['cat', 'dog', 'house'] } : { top_k: 1 + (index % 5) },
        }));
        const answers = queued.map((body) => postJson(url, body));
        await until(() => server.stats.queuedInputs === 51);
        gated.open();
        const all = await Promise.all([running, ...answers]);
        for (const [index, body] of [first, ...queued].entries()) {
          expect(all[index].status).toBe(200);
          expect(sameResults(all[index].body, await alone(body)), JSON.stringify(body)).toBe(true);
        }
        // The 50 waiting inputs, of both kinds of request, shared a few passes.
        expect(gated.passes[0]).toBe(1);
        expect(gated.passes.slice(1).reduce((sum, rows) => sum + rows, 0)).toBe(50);
        expect(gated.passes.length - 1).toBeLessThan(50 / 4);
        const stats = server.stats;
        expect(stats).toMatchObject({ forwardPasses: gated.passes.length, forwardPassRows: 51, batchedRequests: 51, queuedInputs: 0 });
        expect(stats.forwardPassPaddedTokens).toBeGreaterThanOrEqual(stats.forwardPassTokens);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toContain(`fillmask_forward_passes_total ${gated.passes.length}\n`);
        expect(metrics).toContain('fillmask_forward_pass_rows_total 51\n');
      });
    } finally {
      await model.dispose();
    }
  });

  it('a caller that hangs up while its inputs wait takes them out of the pool, and the server goes on', async () => {
    const { gated, model } = await gatedModel();
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await withServer({ fillMask: model }, async (server, url) => {
        gated.shut();
        const running = postJson(url, { inputs: sentences[0] });
        await gated.untilPasses(1);
        const leaving = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } });
        leaving.on('error', () => undefined);
        leaving.end(JSON.stringify({ inputs: [sentences[1], sentences[2]] }));
        await until(() => server.stats.queuedInputs === 3);
        leaving.destroy();
        await until(() => server.stats.queuedInputs === 1);
        gated.open();
        expect((await running).status).toBe(200);
        const after = await postJson(url, { inputs: sentences[3] });
        expect(sameResults(after.body, await alone({ inputs: sentences[3] }))).toBe(true);
        // Only the first and the last request's inputs ran.
        expect(gated.passes).toEqual([1, 1]);
        await until(() => server.stats.responses[499] === 1);
        expect(server.stats.inFlightRequests).toBe(0);
      });
    } finally {
      console.error = originalError;
      await model.dispose();
    }
    expect(errors).toEqual([]);
  });
});

describe('callers that hang up', () => {
  it('before their body has arrived: no answer, no error logged, the server goes on', async () => {
    const errors: unknown[] = [];
    const originalError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      await withServer({ fillMask }, async (server, url) => {
        const { port } = new URL(url);
        for (const partial of ['{"inputs": "The [MASK] sat', '']) {
          const socket = connect(Number(port), '127.0.0.1');
          await new Promise<void>((resolve) => socket.once('connect', resolve));
          socket.write(`POST / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n${partial}`);
          await until(() => server.stats.requests > 0 && server.stats.inFlightRequests > 0);
          socket.destroy();
          await until(() => server.stats.inFlightRequests === 0);
        }
        expect(server.stats.responses[499]).toBe(2);
        const after = await postJson(url, { inputs: sentences[3] });
        expect(sameResults(after.body, await alone({ inputs: sentences[3] }))).toBe(true);
      });
    } finally {
      console.error = originalError;
    }
    expect(errors).toEqual([]);
  });
});

describe('load on loopback', () => {
  it('answers 1,000 requests from 50 concurrent clients, all correct, none lost, batched', async () => {
    const bodies: Body[] = [
      ...sentences.slice(0, 12).map((input, index) => ({ inputs: input, parameters: { top_k: 1 + (index % 5) } })),
      { inputs: 'The [MASK] sat on the [MASK] near the [MASK].', parameters: { top_k: 3 } },
      { inputs: 'I love my [MASK].', parameters: { targets: ['cat', 'dog', 'house'] } },
      { inputs: [sentences[0], 'A [MASK] and a [MASK].', sentences[3]] },
      { inputs: [sentences[5]] },
    ];
    const expected = await Promise.all(bodies.map(alone));
    const total = 1000;
    const clients = 50;
    await withServer({ fillMask }, async (server, url) => {
      let next = 0;
      const outcomes: Array<{ index: number; status: number; correct: boolean }> = [];
      const started = performance.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          // Each client sends its next request as soon as the previous one is answered.
          for (let request = next++; request < total; request = next++) {
            const index = request % bodies.length;
            const answer = await postJson(url, bodies[index]);
            outcomes.push({
              index: request,
              status: answer.status,
              correct: answer.status === 200 && sameResults(answer.body, expected[index]),
            });
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const stats = server.stats;
      console.info(
        `load: ${total} requests, ${clients} clients, ${seconds.toFixed(2)} s (${Math.round(total / seconds)} requests/s); ` +
          `${stats.forwardPasses} forward passes, ${(stats.forwardPassRows / stats.forwardPasses).toFixed(1)} inputs per pass on average`,
      );
      expect(outcomes).toHaveLength(total);
      expect(new Set(outcomes.map((outcome) => outcome.index)).size).toBe(total);
      expect(outcomes.filter((outcome) => !outcome.correct)).toEqual([]);
      expect(stats.requests).toBe(total);
      expect(stats.responses).toEqual({ 200: total });
      expect(stats.batchedRequests).toBe(total);
      // Batching shows: far fewer forward passes than requests (each its own call, the passes shared).
      expect(stats.forwardPasses).toBeLessThan(total / 2);
      expect(stats.forwardPassRows).toBeGreaterThanOrEqual(total);
      expect(stats.inFlightRequests).toBe(0);
      expect(stats.queuedInputs).toBe(0);
    });
  });
});

async function until(condition: () => boolean): Promise<void> {
  for (let tries = 0; !condition(); tries++) {
    if (tries > 500) throw new Error('condition never became true');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
