import { request as httpRequest } from 'node:http';
import type { BackendModelV1, FillMask, FillOptions, FillSettledResult, ModelBackendV1, TokenBatchV1 } from '@fillmask/core';

/**
 * A real FillMask whose `fillSettled` waits at a gate while the gate is shut, so that a test can
 * hold the model busy and see what queues up, without depending on how fast the model runs.
 */
export interface GatedFillMask {
  readonly fillMask: FillMask;
  /** The number of inputs of each `fillSettled` call, in arrival order. */
  readonly calls: number[];
  /** Makes calls wait from now on. */
  shut(): void;
  /** Lets the waiting calls, and the next ones, through. */
  open(): void;
  /** Resolves when `fillSettled` has been called `count` times in all. */
  untilCalls(count: number): Promise<void>;
}

export function gateFillMask(inner: FillMask): GatedFillMask {
  const gate = recordingGate();
  const fillMask: FillMask = {
    get maskToken() {
      return inner.maskToken;
    },
    get maskAliases() {
      return inner.maskAliases;
    },
    get maxLength() {
      return inner.maxLength;
    },
    get model() {
      return inner.model;
    },
    get backend() {
      return inner.backend;
    },
    fill: inner.fill.bind(inner) as FillMask['fill'],
    async fillSettled(inputs: readonly string[], options?: FillOptions): Promise<FillSettledResult[]> {
      await gate.pass(inputs.length);
      return inner.fillSettled(inputs, options);
    },
    dispose: () => inner.dispose(),
  };
  return { fillMask, calls: gate.records, shut: gate.shut, open: gate.open, untilCalls: gate.until };
}

/**
 * A real backend whose model runs wait at a gate while it is shut, so that a test can hold a forward
 * pass running and see which inputs share the next ones.
 */
export interface GatedBackend {
  readonly backend: ModelBackendV1;
  /** The rows of each forward pass, in order. */
  readonly passes: number[];
  shut(): void;
  open(): void;
  /** Resolves when `count` passes have started. */
  untilPasses(count: number): Promise<void>;
}

export function gateBackend(inner: ModelBackendV1): GatedBackend {
  const gate = recordingGate();
  const backend: ModelBackendV1 = {
    ...inner,
    async loadModel(request) {
      const model = await inner.loadModel(request);
      const gated: BackendModelV1 = {
        vocabSize: model.vocabSize,
        batchInvariant: model.batchInvariant,
        preferredBatchTokens: model.preferredBatchTokens,
        async run(batch: TokenBatchV1) {
          await gate.pass(batch.batchSize);
          return model.run(batch);
        },
        dispose: () => model.dispose(),
      };
      return gated;
    },
  };
  return { backend, passes: gate.records, shut: gate.shut, open: gate.open, untilPasses: gate.until };
}

/** Records the size of each call through it; shut, calls wait there until it opens. */
function recordingGate() {
  const records: number[] = [];
  let gate: Promise<void> = Promise.resolve();
  let release: () => void = () => {};
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  return {
    records,
    async pass(size: number): Promise<void> {
      records.push(size);
      for (const waiter of waiters.filter((entry) => records.length >= entry.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
      await gate;
    },
    shut(): void {
      gate = new Promise((resolve) => (release = resolve));
    },
    open(): void {
      release();
    },
    /** Resolves once `count` calls have come. */
    until(count: number): Promise<void> {
      if (records.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

export interface JsonAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: unknown;
}

/** POSTs a JSON value (or a raw string) and reads the JSON answer. */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<JsonAnswer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
}

/**
 * Sends a body in chunks without Content-Length (chunked transfer encoding), as a streaming client
 * does, and resolves with the status the server answered and whether the upload was cut.
 */
export function postChunked(url: string, chunk: Buffer, chunks: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(url, { method: 'POST', headers: { 'Content-Type': 'application/json' } }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (text: string) => (body += text));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    // The server may cut the connection once it has answered; what counts is its answer.
    outgoing.on('error', () => undefined);
    let sent = 0;
    const writeMore = (): void => {
      while (sent < chunks) {
        sent++;
        if (!outgoing.write(chunk)) return void outgoing.once('drain', writeMore);
      }
      outgoing.end();
    };
    writeMore();
  });
}

/** Same tokens, strings and order; scores equal within float32 noise (a padded batch can change the last bits). */
export function sameResults(actual: unknown, expected: unknown): boolean {
  const scores = (value: unknown): number[] =>
    (JSON.stringify(value).match(/"score":[^,}]+/g) ?? []).map((entry) => Number(entry.slice(8)));
  const withoutScores = (value: unknown) => JSON.stringify(value).replace(/"score":[^,}]+/g, '"score":0');
  if (withoutScores(actual) !== withoutScores(expected)) return false;
  const expectedScores = scores(expected);
  return scores(actual).every((score, index) => Math.abs(score - expectedScores[index]) < 1e-6);
}
