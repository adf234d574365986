import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

/** Debian's Chromium (`apt-get install chromium`), or FILLMASK_CHROMIUM, as the browser tests use; playwright never downloads one. */
export const chromiumPath = process.env.FILLMASK_CHROMIUM ?? '/usr/bin/chromium';

/** Headless, software only, and quiet: no background requests of its own to compete with the pages. */
export const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A new Chromium process (and so new renderers), with no profile of its own beyond the run. */
export async function launchBenchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath))
    throw new Error(`No Chromium at ${chromiumPath}: install it with apt-get install chromium, or set FILLMASK_CHROMIUM to its path.`);
  return chromium.launch({ executablePath: chromiumPath, headless: true, args: chromiumArgs });
}

/** A library's page, open and ready, in a browser context of its own (so a renderer of its own). */
export interface BenchPageHandle {
  readonly context: BrowserContext;
  readonly page: Page;
  /** The DevTools protocol on the page, to collect its garbage before a memory reading. */
  readonly devtools: CDPSession;
  /** Requests the page tried to make to another origin than the page server's: each was refused. */
  readonly refusedRequests: string[];
  /** The page's console errors and uncaught exceptions, for error messages. */
  readonly errors: string[];
}

/**
 * Opens `file` (`fillmask.html`) of the page server in a new context of `browser`. Requests to any
 * other origin are refused and recorded: every file (the `.wasm` files too) must come from the
 * server, never a CDN.
 */
export async function openBenchPage(browser: Browser, origin: string, file: string): Promise<BenchPageHandle> {
  const context = await browser.newContext();
  const refusedRequests: string[] = [];
  const errors: string[] = [];
  await context.route(
    (url) => url.origin !== origin,
    (route) => {
      refusedRequests.push(route.request().url());
      return route.abort('blockedbyclient');
    },
  );
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(`${origin}/${file}`);
  await page.waitForFunction(() => document.querySelector('#state')?.textContent === 'ready');
  const devtools = await context.newCDPSession(page);
  return { context, page, devtools, refusedRequests, errors };
}

/** A full garbage collection of the page's JS heap, so a memory reading does not count garbage a later collection would free. */
export async function collectGarbage(handle: BenchPageHandle): Promise<void> {
  await handle.devtools.send('HeapProfiler.collectGarbage');
}

/** The bytes of the page's main-thread JS heap that V8 counts as used. */
export async function jsHeapBytes(handle: BenchPageHandle): Promise<number> {
  return (await handle.devtools.send('Runtime.getHeapUsage')).usedSize;
}
