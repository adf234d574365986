import path from 'node:path';
import type { Page } from 'playwright-core';
import type { BackendModelV1, ModelBackendV1, TokenBatchV1 } from '@fillmask/core';
import type { WorkerBackendOptions } from '@fillmask/backend-web';
import { reviveError } from '../src/revive-error.js';
import { callHarness } from './harness-page.test-helper.js';
import type { Outcome } from './harness/harness-api.js';

let nextModelId = 1;

/**
 * The web backend running in a Chromium page, seen from Node as a FillMaskBackendV1: `loadModel`
 * loads the fixture model in the page with createWebBackend, and each `run` sends the token batch to
 * the page and brings the logits back. Core (tokenizer, batching, ranking) stays in Node, so the
 * shared conformance suite runs unchanged against the backend as the browser executes it.
 */
export function createPageBackend(page: () => Page, backendOptions: WorkerBackendOptions = {}): ModelBackendV1 {
  return {
    specificationVersion: 'v1',
    name: 'web',
    async loadModel({ files, config, dtype, modelFile }) {
      const id = `backend-model-${nextModelId++}`;
      // The fixture folder's name is its path under the test server's /models/.
      const model = `/models/${path.basename(files.location)}/`;
      const { vocabSize, batchInvariant } = unwrap(
        await callHarness(page(), 'loadBackendModel', id, { model, modelFile, dtype, config, backendOptions }),
      );
      const backendModel: BackendModelV1 = {
        vocabSize,
        // As the page's model says, so q8 batches run as they would in the page.
        batchInvariant,
        async run(batch: TokenBatchV1) {
          const base64 = unwrap(await callHarness(page(), 'runBackendModel', id, plainBatch(batch)));
          const bytes = Buffer.from(base64, 'base64');
          return { logits: new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
        },
        async dispose() {
          unwrap(await callHarness(page(), 'disposeBackendModel', id));
        },
      };
      return backendModel;
    },
  };
}

function plainBatch(batch: TokenBatchV1) {
  return {
    batchSize: batch.batchSize,
    sequenceLength: batch.sequenceLength,
    inputIds: Array.from(batch.inputIds),
    attentionMask: Array.from(batch.attentionMask),
    tokenTypeIds: Array.from(batch.tokenTypeIds),
    positions: Array.from(batch.positions),
  };
}

/** The page's typed errors arrive as the same classes here. */
function unwrap<T>(outcome: Outcome<T>): T {
  if (outcome.ok) return outcome.value;
  throw reviveError({ name: outcome.error.name, message: outcome.error.message, fields: outcome.error.fields });
}
