import { collectGarbage, jsHeapBytes, launchBenchChromium } from './bench-chromium.js';
import { chromiumMemory, type ChromiumMemory } from './chromium-processes.js';
import { openLibraryPage, type BrowserLibrary } from './library-page.js';
import type { BenchPageLoadOptions } from './page/bench-page-api.js';

/** One library's memory in a fresh Chromium: its page open, then the model loaded, then the throughput workload done. */
export interface PageMemoryRun {
  readonly library: BrowserLibrary;
  readonly loadMs: number;
  /** The page open, its library's script loaded, nothing else. */
  readonly before: PageMemoryReading;
  /** The model loaded (garbage collected first). */
  readonly loaded: PageMemoryReading;
  /** After filling a few batches of sentences (fillmask's q8 batch variant, if any, is open by then). */
  readonly afterWorkload: PageMemoryReading;
}

export interface PageMemoryReading extends ChromiumMemory {
  /** The page's main-thread V8 heap, as the page reports it: its objects, not ArrayBuffer contents or WebAssembly memory. */
  readonly jsHeapBytes: number;
}

export interface PageMemorySetup {
  readonly origin: string;
  readonly load: BenchPageLoadOptions;
  readonly sentences: readonly string[];
  readonly batchSize: number;
}

/**
 * Launches a new Chromium for `library` alone, so no other page, earlier load or cache shares its
 * renderer, and reads the renderers' memory (`chromiumMemory`) before and after the load, each
 * reading after a full garbage collection of the page and a pause: what the load keeps, not garbage
 * waiting for a collection. The high-water mark (VmHWM) gives the peak the load reached.
 */
export async function measurePageMemory(library: BrowserLibrary, setup: PageMemorySetup): Promise<PageMemoryRun> {
  const browser = await launchBenchChromium();
  try {
    const page = await openLibraryPage(browser, setup.origin, library);
    const reading = async (): Promise<PageMemoryReading> => {
      await collectGarbage(page.handle);
      await pause(1000);
      return { ...(await chromiumMemory()), jsHeapBytes: await jsHeapBytes(page.handle) };
    };
    const before = await reading();
    const { milliseconds } = await page.load(setup.load);
    const loaded = await reading();
    await page.fillAll(setup.sentences, setup.batchSize);
    const afterWorkload = await reading();
    if (page.handle.refusedRequests.length > 0)
      throw new Error(`${library}'s page asked for files off the page server: ${page.handle.refusedRequests.join(', ')}`);
    return { library, loadMs: milliseconds, before, loaded, afterWorkload };
  } finally {
    await browser.close();
  }
}

function pause(milliseconds: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, milliseconds));
}
