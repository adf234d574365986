import { afterAll, beforeAll, inject } from 'vitest';
import type { Page } from 'playwright-core';
import { describeBackendConformance } from '@fillmask/backend-tests';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { openHarness } from './harness-page.test-helper.js';
import { createPageBackend } from './page-backend.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

let server: TestServer;
let chromium: ChromiumSession;
let page: Page;

beforeAll(async () => {
  server = await startTestServer({ app: inject('harnessDist') });
  chromium = await launchChromium();
  page = await chromium.newPage();
  await openHarness(page, server.url);
});

afterAll(async () => {
  await chromium?.close();
  await server?.close();
});

// The shared suite, with the backend's every run executed by onnxruntime-web in Chromium. Its
// reference is transformers.js on onnxruntime-node; for q8 that includes native onnxruntime's fused
// quantized kernel, which WebAssembly does not have (see NodeGraphMode): up to 8.8e-4 apart there.
describeBackendConformance('web (Chromium, wasm)', { createBackend: () => createPageBackend(() => page), dtypes: ['fp32'], scoreTolerance: 1e-5 });
describeBackendConformance('web (Chromium, wasm)', { createBackend: () => createPageBackend(() => page), dtypes: ['q8'], scoreTolerance: 1e-3 });
