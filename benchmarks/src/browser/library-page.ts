import type { Browser } from 'playwright-core';
import { openBenchPage, type BenchPageHandle } from './bench-chromium.js';
import type { BenchPageLoaded, BenchPageLoadOptions } from './page/bench-page-api.js';

export type BrowserLibrary = 'fillmask' | 'transformers.js';
export const browserLibraries: readonly BrowserLibrary[] = ['fillmask', 'transformers.js'];

/** Each library's page, as `buildBenchPages` names them. */
const pageFiles: Record<BrowserLibrary, string> = { fillmask: 'fillmask.html', 'transformers.js': 'transformers.html' };

/** One library's page, seen from the runner: each call runs in the page, which times it. */
export interface LibraryPage {
  readonly name: BrowserLibrary;
  readonly handle: BenchPageHandle;
  load(options: BenchPageLoadOptions): Promise<BenchPageLoaded>;
  topToken(text: string): Promise<string>;
  /** Milliseconds of one sentence, by the page's clock. */
  fillOne(text: string): Promise<number>;
  /** Milliseconds of every sentence (transformers.js in batches of `batchSize`, in input order). */
  fillAll(texts: readonly string[], batchSize: number): Promise<number>;
}

/** Opens `library`'s page in a new context of `browser`, ready to load. */
export async function openLibraryPage(browser: Browser, origin: string, library: BrowserLibrary): Promise<LibraryPage> {
  const handle = await openBenchPage(browser, origin, pageFiles[library]);
  const { page } = handle;
  // The page's own error text, plus what its console said, for a failure that happens in the page.
  const inPage = async <T>(task: () => Promise<T>): Promise<T> => {
    try {
      return await task();
    } catch (error) {
      throw new Error(
        `${library}'s page: ${(error as Error).message}${handle.errors.length ? `\npage errors:\n${handle.errors.join('\n')}` : ''}`,
      );
    }
  };
  return {
    name: library,
    handle,
    load: (options) => inPage(() => page.evaluate((given) => window.benchPage!.load(given), options)),
    topToken: (text) => inPage(() => page.evaluate((given) => window.benchPage!.topToken(given), text)),
    fillOne: (text) => inPage(() => page.evaluate((given) => window.benchPage!.fillOne(given), text)),
    fillAll: (texts, batchSize) =>
      inPage(() => page.evaluate(([given, size]) => window.benchPage!.fillAll(given, size), [texts, batchSize] as const)),
  };
}
