import { describe, expect, it } from 'vitest';
import type { ConnectServiceRequestV1, ServiceBackendV1, ServiceFillRequestV1, ServiceModelV1 } from '../backend/fill-mask-backend-v1.js';
import type { FillProgress } from './fill-options.js';
import type { MaskPredictions } from './prediction.js';
import { DisposedError } from '../errors/disposed-error.js';
import { InferenceError } from '../errors/inference-error.js';
import { InvalidArgumentError } from '../errors/invalid-argument-error.js';
import { MissingMaskError } from '../errors/missing-mask-error.js';
import { RemoteRequestError } from '../errors/remote-request-error.js';
import { createFillMask } from './create-fill-mask.js';

// A test double for a service: it answers each input with one list per `[MASK]`, whose predictions
// name the input, so that every result below can be traced to the input and request it came from.

interface FakeService {
  readonly backend: ServiceBackendV1;
  readonly connects: ConnectServiceRequestV1[];
  readonly requests: ServiceFillRequestV1[];
  readonly disposals: () => number;
}

function predictionsFor(input: string, topK: number): MaskPredictions[] {
  const masks = input.split('[MASK]').length - 1;
  return Array.from({ length: masks }, (_, mask) =>
    Array.from({ length: topK }, (__, rank) => ({
      score: 1 / (rank + 2),
      token: rank,
      token_str: `t${rank}`,
      sequence: `${input}#${mask}`,
    })),
  );
}

function fakeService(
  options: { maxLength?: number; fill?: (request: ServiceFillRequestV1) => Promise<MaskPredictions[][]> } = {},
): FakeService {
  const connects: ConnectServiceRequestV1[] = [];
  const requests: ServiceFillRequestV1[] = [];
  let disposals = 0;
  const model: ServiceModelV1 = {
    maskToken: '[MASK]',
    maxLength: options.maxLength,
    async fill(request) {
      requests.push({ ...request, inputs: [...request.inputs] });
      if (options.fill) return options.fill(request);
      return request.inputs.map((input) => predictionsFor(input, request.topK));
    },
    async dispose() {
      disposals++;
    },
  };
  const backend: ServiceBackendV1 = {
    specificationVersion: 'v1',
    kind: 'service',
    name: 'fake-service',
    async connect(request) {
      connects.push(request);
      return model;
    },
  };
  return { backend, connects, requests, disposals: () => disposals };
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (reason: Error) => reason,
  );
}

const refusingFetch: typeof fetch = async () => {
  throw new Error('a service backend must not fetch model files');
};

describe('createFillMask with a service backend', () => {
  it('opens no model file: the model name and the source options go to connect as given', async () => {
    const service = fakeService({ maxLength: 512 });
    const fillMask = await createFillMask({
      model: 'org/not-on-any-hub',
      backend: service.backend,
      accessToken: 'hf_x',
      revision: 'v2',
      fetch: refusingFetch,
      dtype: 'q8',
    });
    expect(service.connects).toHaveLength(1);
    expect(service.connects[0].model).toBe('org/not-on-any-hub');
    expect(service.connects[0].source).toMatchObject({ accessToken: 'hf_x', revision: 'v2', fetch: refusingFetch });
    expect([fillMask.maskToken, fillMask.maxLength, fillMask.model, fillMask.backend]).toEqual([
      '[MASK]',
      512,
      'org/not-on-any-hub',
      'fake-service',
    ]);
    await fillMask.dispose();
  });

  it('reports an unbounded maxLength when the service does not tell its limit', async () => {
    const fillMask = await createFillMask({ model: 'm', backend: fakeService().backend });
    expect(fillMask.maxLength).toBe(Number.POSITIVE_INFINITY);
  });

  it('refuses ModelFiles as the model, naming the backend', async () => {
    const files = { location: '/x', read: async () => new Uint8Array(), exists: async () => true };
    const error = await rejection(createFillMask({ model: files, backend: fakeService().backend }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(error.message).toContain('a fake-service backend opens no model files');
  });

  it('checks the config defaults at creation and disconnects when they are wrong', async () => {
    const service = fakeService();
    const error = await rejection(createFillMask({ model: 'm', backend: service.backend, targets: [] }));
    expect(InvalidArgumentError.isInstance(error)).toBe(true);
    expect(service.disposals()).toBe(1);
    expect(InvalidArgumentError.isInstance(await rejection(createFillMask({ model: 'm', backend: service.backend, topK: 0 })))).toBe(true);
  });
});

describe('ServiceFillMask', () => {
  it('fills one input with one request: topK 5 by default, no targets, no truncation', async () => {
    const service = fakeService();
    const fillMask = await createFillMask({ model: 'm', backend: service.backend });
    const result = await fillMask.fill('a [MASK] b [MASK]');
    expect(result).toEqual(predictionsFor('a [MASK] b [MASK]', 5));
    expect(service.requests).toHaveLength(1);
    expect(service.requests[0]).toMatchObject({ inputs: ['a [MASK] b [MASK]'], topK: 5, targets: undefined, truncation: undefined });
  });

  it('passes the call options over the config defaults; a single target string becomes a list', async () => {
    const service = fakeService();
    const fillMask = await createFillMask({ model: 'm', backend: service.backend, topK: 2, targets: [' a', ' b'], truncation: true });
    await fillMask.fill('x [MASK]');
    await fillMask.fill('x [MASK]', { topK: 1, targets: ' c', truncation: false });
    expect(service.requests.map(({ topK, targets, truncation }) => ({ topK, targets, truncation }))).toEqual([
      { topK: 2, targets: [' a', ' b'], truncation: true },
      { topK: 1, targets: [' c'], truncation: undefined },
    ]);
  });

  it('sends an array in requests of batchSize, in order, reporting progress after each', async () => {
    const service = fakeService();
    const fillMask = await createFillMask({ model: 'm', backend: service.backend, batchSize: 2 });
    const inputs = ['1 [MASK]', '2 [MASK]', '3 [MASK] [MASK]', '4 [MASK]', '5 [MASK]'];
    const progress: FillProgress[] = [];
    const results = await fillMask.fill(inputs, { topK: 1, onProgress: (update) => progress.push(update) });
    expect(results).toEqual(inputs.map((input) => predictionsFor(input, 1)));
    expect(service.requests.map((request) => request.inputs)).toEqual([inputs.slice(0, 2), inputs.slice(2, 4), inputs.slice(4)]);
    expect(progress).toEqual([
      { completed: 2, total: 5 },
      { completed: 4, total: 5 },
      { completed: 5, total: 5 },
    ]);
  });

  it('refuses an input without the mask token, or not a string, before any request', async () => {
    const service = fakeService();
    const fillMask = await createFillMask({ model: 'm', backend: service.backend });
    const missing = await rejection(fillMask.fill('no mask <mask> here'));
    expect(MissingMaskError.isInstance(missing)).toBe(true);
    expect(missing.message).toBe('No mask token found in the input: write [MASK] where the model should fill in a word.');
    const second = await rejection(fillMask.fill(['a [MASK]', 'b']));
    expect((second as MissingMaskError).inputIndex).toBe(1);
    const notString = await rejection(fillMask.fill(['a [MASK]', 7 as unknown as string]));
    expect(InvalidArgumentError.isInstance(notString) && notString.argument).toBe('inputs[1]');
    expect(InvalidArgumentError.isInstance(await rejection(fillMask.fill('a [MASK]' as unknown as string[], 'x' as never)))).toBe(true);
    expect(service.requests).toHaveLength(0);
  });

  it('checks options as the model FillMask does', async () => {
    const fillMask = await createFillMask({ model: 'm', backend: fakeService().backend });
    for (const options of [
      { topK: 0 },
      { topK: 1.5 },
      { targets: [] },
      { targets: [''] },
      { targets: [3] },
      { truncation: 'yes' },
      { onProgress: 1 },
    ]) {
      const error = await rejection(fillMask.fill('a [MASK]', options as never));
      expect(InvalidArgumentError.isInstance(error), JSON.stringify(options)).toBe(true);
    }
  });

  it('fillSettled: a bad input gets its own slot; the service refusing a request is retried input by input', async () => {
    const service = fakeService({
      async fill(request) {
        const tooLong = request.inputs.findIndex((input) => input.length > 20);
        if (tooLong >= 0) {
          throw new RemoteRequestError({
            url: 'http://127.0.0.1/',
            message: `input ${tooLong} is too long`,
            status: 400,
            isRetryable: false,
            attempts: 1,
          });
        }
        return request.inputs.map((input) => predictionsFor(input, request.topK));
      },
    });
    const fillMask = await createFillMask({ model: 'm', backend: service.backend, batchSize: 3 });
    const inputs = ['a [MASK]', 'no mask', 'b [MASK] and a much longer tail', 'c [MASK]', 'd [MASK]'];
    const settled = await fillMask.fillSettled(inputs, { topK: 1 });
    expect(settled.map((slot) => slot.status)).toEqual(['fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: predictionsFor('a [MASK]', 1) });
    expect(settled[3]).toEqual({ status: 'fulfilled', value: predictionsFor('c [MASK]', 1) });
    expect(MissingMaskError.isInstance((settled[1] as { reason: Error }).reason)).toBe(true);
    expect(RemoteRequestError.isInstance((settled[2] as { reason: Error }).reason)).toBe(true);
    // First request: three valid inputs, refused; then each alone; then the last input's own request.
    expect(service.requests.map((request) => request.inputs.length)).toEqual([3, 1, 1, 1, 1]);
  });

  it('fillSettled: a failure of the service itself fails the call', async () => {
    const unavailable = new RemoteRequestError({ url: 'http://127.0.0.1/', message: 'down', status: 503, isRetryable: true, attempts: 3 });
    const fillMask = await createFillMask({
      model: 'm',
      backend: fakeService({
        fill: async () => {
          throw unavailable;
        },
      }).backend,
    });
    expect(await rejection(fillMask.fillSettled(['a [MASK]', 'b [MASK]']))).toBe(unavailable);
  });

  it('wraps a foreign error of the service in InferenceError, and refuses a result of the wrong shape', async () => {
    const failing = await createFillMask({
      model: 'm',
      backend: fakeService({
        fill: async () => {
          throw new TypeError('socket hang up');
        },
      }).backend,
    });
    const error = await rejection(failing.fill('a [MASK]'));
    expect(InferenceError.isInstance(error)).toBe(true);
    expect(error.message).toBe('fake-service backend: the service call failed: socket hang up');
    expect(error.cause).toBeInstanceOf(TypeError);

    const wrongShapes: unknown[] = [[], [[]], [[[{}]], [[{}]]], 'text', [{ score: 1 }]];
    for (const shape of wrongShapes) {
      const broken = await createFillMask({ model: 'm', backend: fakeService({ fill: async () => shape as MaskPredictions[][] }).backend });
      const shapeError = await rejection(broken.fill('a [MASK]'));
      expect(InferenceError.isInstance(shapeError), JSON.stringify(shape)).toBe(true);
      expect(shapeError.message).toMatch(/expected one list of mask predictions for each of the 1 inputs/);
    }
  });

  it('stops at the signal: before the first request, and between requests', async () => {
    const service = fakeService();
    const fillMask = await createFillMask({ model: 'm', backend: service.backend, batchSize: 1 });
    const reason = new Error('stop');
    expect(await rejection(fillMask.fill('a [MASK]', { signal: AbortSignal.abort(reason) }))).toBe(reason);
    expect(service.requests).toHaveLength(0);

    const controller = new AbortController();
    const error = await rejection(
      fillMask.fill(['a [MASK]', 'b [MASK]', 'c [MASK]'], { signal: controller.signal, onProgress: () => controller.abort(reason) }),
    );
    expect(error).toBe(reason);
    expect(service.requests).toHaveLength(1);
  });

  it('passes the signal to the service and lets its abort reason through untouched', async () => {
    const reason = new Error('caller gave up');
    const controller = new AbortController();
    const fillMask = await createFillMask({
      model: 'm',
      backend: fakeService({
        fill: (request) =>
          new Promise((_, reject) => {
            request.signal?.addEventListener('abort', () => reject(request.signal?.reason));
            controller.abort(reason);
          }),
      }).backend,
    });
    expect(await rejection(fillMask.fill('a [MASK]', { signal: controller.signal }))).toBe(reason);
  });

  it('disposes the service once, and refuses calls after dispose', async () => {
    const service = fakeService();
    const fillMask = await createFillMask({ model: 'm', backend: service.backend });
    await fillMask.dispose();
    await fillMask.dispose();
    expect(service.disposals()).toBe(1);
    expect(DisposedError.isInstance(await rejection(fillMask.fill('a [MASK]')))).toBe(true);
    expect(DisposedError.isInstance(await rejection(fillMask.fillSettled(['a [MASK]'])))).toBe(true);
  });
});
