import { afterAll, beforeAll, inject } from 'vitest';
import type { Page } from 'playwright-core';
import { launchChromium, type ChromiumSession } from './chromium.test-helper.js';
import { openHarness } from './harness-page.test-helper.js';
import { startTestServer, type TestServer } from './test-server.test-helper.js';

/**
 * The harness page for the tests of one file: served locally, opened in Chromium before the file's
 * tests and closed after them. Call it at the top of the file; the page exists once `beforeAll` ran.
 */
export function useHarnessPage(): () => Page {
  let server: TestServer | undefined;
  let chromium: ChromiumSession | undefined;
  let page: Page | undefined;
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
  return () => {
    if (!page) throw new Error('the harness page is not open yet: use it inside tests or hooks');
    return page;
  };
}
