import { afterAll, beforeAll, it, inject } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { callHarness, harnessValue, openHarness } from './harness-page.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';
let server: TestServer; let chromium: ChromiumSession; let page: Page;
beforeAll(async () => { server = await startTestServer({ app: inject('harnessDist') }); chromium = await launchChromium(); page = await chromium.newPage(); await openHarness(page, server.url); });
afterAll(async () => { await chromium?.close(); await server?.close(); });
it('scratch', async () => {
  await harnessValue(page, 'open', 'big', { model: '/models/tiny-roberta/' });
  for (const n of [8, 16, 32]) {
    const inputs = Array.from({ length: n }, (_, i) => `<mask> ${'alpha beta gamma delta epsilon '.repeat(70)} ${i}`);
    const t = Date.now();
    const r = await callHarness(page, 'fill', 'big', inputs);
    console.log(n, r.ok ? 'ok' : JSON.stringify(r.error).slice(0, 300), Date.now() - t);
  }
});
