import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFillMask, toPipelineOutput, type FillMask, type FillOptions } from '@fillmask/core';
import { createOnnxBackend } from '@fillmask/backend-onnx';
import { fixtureModelPath, loadReference } from '@fillmask/fixtures';
import { createFillMaskServer, type FillMaskServer } from './index.js';
import { gateFillMask, postJson, sameResults } from './fill-mask-server.test-helper.js';

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
          `${stats.batches} model calls, ${(stats.batchedRequests / stats.batches).toFixed(1)} requests per call on average, at most ${stats.largestBatchRequests}`,
      );
      expect(outcomes).toHaveLength(total);
      expect(new Set(outcomes.map((outcome) => outcome.index)).size).toBe(total);
      expect(outcomes.filter((outcome) => !outcome.correct)).toEqual([]);
      expect(stats.requests).toBe(total);
      expect(stats.responses).toEqual({ 200: total });
      expect(stats.batchedRequests).toBe(total);
      // Batching shows: far fewer model calls than requests, several requests in the largest one.
      expect(stats.batches).toBeLessThan(total / 2);
      expect(stats.largestBatchRequests).toBeGreaterThan(1);
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
